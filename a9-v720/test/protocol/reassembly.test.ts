import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cmd, MsgFlag, type Packet } from '../../src/protocol/header.js';
import {
  DEFAULT_MAX_HELD_BYTES,
  ID_SPAN,
  JUMP_CONFIRM_PACKETS,
  MAX_UNCONFIRMED_IDS,
  REORDER_WINDOW_MS,
} from '../../src/protocol/reassembly.js';
import { audioPacket as audio, fakeJpeg, mediaPacket as packet, recordingReassembler as collect } from '../support/reassembly-fixtures.js';

const W = REORDER_WINDOW_MS;

interface FrameOptions {
  readonly fragmentBytes?: number;
  /** Bytes after the JPEG: (tail - 4) unknown bytes + u32 LE size. Default 5, as measured. */
  readonly tail?: number;
  /** false: msg_flag 0 on every fragment (firmware that ignores 298). */
  readonly flags?: boolean;
}

/** The camera's fragments of one JPEG (payloads only; ids are assigned by the caller). */
function fragmentsOf(jpeg: Buffer, options: FrameOptions = {}): { msgFlag: number; payload: Buffer }[] {
  const { fragmentBytes = 1004, tail = 5, flags = true } = options;
  const trailer = Buffer.alloc(tail);
  trailer.writeUInt32LE(jpeg.length, tail - 4);
  const data = Buffer.concat([jpeg, trailer]);
  const count = Math.ceil(data.length / fragmentBytes);
  return Array.from({ length: count }, (_, i) => ({
    msgFlag: !flags
      ? 0
      : count === 1
        ? MsgFlag.Whole
        : i === 0
          ? MsgFlag.FirstFragment
          : i === count - 1
            ? MsgFlag.LastFragment
            : MsgFlag.MiddleFragment,
    payload: data.subarray(i * fragmentBytes, (i + 1) * fragmentBytes),
  }));
}

function video(jpeg: Buffer, firstId: number, options: FrameOptions = {}): Packet[] {
  return fragmentsOf(jpeg, options).map((f, i) => packet(Cmd.JpegFragment, f.msgFlag, firstId + i, f.payload));
}

test('clean stream, audio on the shared counter between and inside frames: each frame on the call that brings its last fragment', () => {
  const { r, frames, audio: chunks, drops } = collect();
  const sent = [fakeJpeg(5000, 1), fakeJpeg(3000, 2), fakeJpeg(9000, 3)];
  let id = 7000;
  let now = 0;
  for (const [index, jpeg] of sent.entries()) {
    const fragments = video(jpeg, 0);
    for (const [i, fragment] of fragments.entries()) {
      if (i === 1) r.push(audio(id++), now); // audio inside the frame
      r.push({ ...fragment, pkgId: id++ }, now);
      const isLast = i === fragments.length - 1;
      assert.equal(frames.length, isLast ? index + 1 : index, `frame ${index} delivered exactly at its last fragment`);
    }
    r.push(audio(id++), now); // and between frames
    now += 100;
  }
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    sent,
  );
  assert.equal(chunks.length, 2 * sent.length);
  assert.ok(
    chunks.every((c) => c.format === 'alaw'),
    `every chunk is A-law, got ${chunks.map((c) => c.format).join(', ')}`,
  );
  assert.deepEqual(drops, []);
  assert.equal(r.heldBytes, 0);
  assert.equal(r.stats.separateAudioCounter, false);
});

test('clean stream, audio on its own counter colliding with video ids: no latency, no drop, the counter is recognised', () => {
  const { r, frames, audio: chunks, drops } = collect();
  const sent = [fakeJpeg(5000, 1), fakeJpeg(5000, 2), fakeJpeg(5000, 3)];
  let videoId = 1;
  let audioId = 1; // the simulator's separate counter starts at 1 too
  for (const [index, jpeg] of sent.entries()) {
    const fragments = video(jpeg, videoId);
    videoId += fragments.length;
    for (const [i, fragment] of fragments.entries()) {
      r.push(fragment, index * 100);
      if (i % 2 === 0) r.push(audio(audioId++), index * 100);
      assert.equal(frames.length, i === fragments.length - 1 ? index + 1 : index);
    }
  }
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    sent,
  );
  assert.deepEqual(drops, []);
  assert.equal(chunks.length, audioId - 1);
  assert.equal(r.stats.separateAudioCounter, true);
});

test('swapped fragments: the frame is delivered byte-exact when the missing one arrives', () => {
  const { r, frames } = collect();
  const jpeg = fakeJpeg(6000);
  const p = video(jpeg, 50);
  r.push(p[0]!, 0);
  r.push(p[2]!, 1);
  r.push(p[1]!, 2);
  for (const x of p.slice(3, -1)) r.push(x, 3);
  r.push(p.at(-1)!, 4);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
  assert.equal(frames[0]!.firstPkgId, 50);
  assert.equal(frames[0]!.lastPkgId, 50 + p.length - 1);
});

test('a lost fragment resent within the window completes its frame; the frame behind it waits and follows in order', () => {
  const { r, frames, drops } = collect();
  const a = fakeJpeg(5000, 1);
  const b = fakeJpeg(4000, 2);
  const pa = video(a, 100);
  const pb = video(b, 100 + pa.length);
  for (const x of pa) if (x.pkgId !== 102) r.push(x, 0);
  for (const x of pb) r.push(x, 10);
  assert.equal(frames.length, 0, 'b is complete but waits for a');
  r.tick(W - 1);
  assert.deepEqual(drops, []);
  r.push(pa[2]!, W - 1); // the resend
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [a, b],
  );
  assert.deepEqual(drops, []);
});

test('a fragment that never comes: the frame is dropped (incomplete) when its window runs out, not before; the next frame goes on', () => {
  const { r, frames, drops } = collect();
  const a = fakeJpeg(5000, 1);
  const b = fakeJpeg(4000, 2);
  const pa = video(a, 100);
  const pb = video(b, 100 + pa.length);
  for (const x of pa) if (x.pkgId !== 102) r.push(x, 5);
  for (const x of pb) r.push(x, 20);
  r.tick(5 + W - 1);
  assert.equal(drops.length, 0);
  r.tick(5 + W);
  assert.deepEqual(
    drops.map((d) => d.reason),
    ['incomplete'],
  );
  assert.equal(drops[0]!.detail, `frame from pkg 100: 1 packet(s) missing after ${W} ms`);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
  assert.equal(r.stats.dropReasons.incomplete, 1);
  // The resend that comes too late is ignored (and confirmed, so the camera stops sending it).
  r.push(pa[2]!, 500);
  assert.equal(r.stats.latePackets, 1);
  assert.ok(r.confirmIds().includes(102), `the late pkg 102 is confirmed, confirm ids ${r.confirmIds().join(', ')}`);
  assert.equal(frames.length, 1);
});

test('a lost last fragment: dropped at the window, the next frame delivered after it', () => {
  const { r, frames, drops } = collect();
  const pa = video(fakeJpeg(3000, 1), 10);
  const b = fakeJpeg(3000, 2);
  for (const x of pa.slice(0, -1)) r.push(x, 0);
  for (const x of video(b, 10 + pa.length)) r.push(x, 1);
  assert.equal(frames.length, 0);
  r.tick(W);
  assert.deepEqual(
    drops.map((d) => d.reason),
    ['incomplete'],
  );
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
});

test('a new first fragment where the last one should be: dropped at once as restarted', () => {
  const { r, frames, drops } = collect();
  const jpeg = fakeJpeg(3000);
  const a = video(jpeg, 1).slice(0, 2);
  for (const x of [...a, ...video(jpeg, 3)]) r.push(x, 0);
  assert.deepEqual(
    drops.map((d) => d.reason),
    ['restarted'],
  );
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
});

test('duplicates are filtered; late copies of delivered packets are ignored and confirmed', () => {
  const { r, frames } = collect();
  const jpeg = fakeJpeg(6000);
  const p = video(jpeg, 50);
  r.push(p[0]!, 0);
  r.push(p[1]!, 0);
  r.push(p[1]!, 0);
  for (const x of p.slice(2)) r.push(x, 0);
  r.push(p[3]!, 1);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
  assert.equal(r.stats.duplicatePackets, 1);
  assert.equal(r.stats.latePackets, 1);
});

test('an audio packet lost inside a frame on the shared counter does not break the frame: the bytes add up', () => {
  const { r, frames, drops } = collect();
  const jpeg = fakeJpeg(4000);
  const p = video(jpeg, 0);
  // ids 200, 201, [202 = audio, lost], 203.. for the rest of the frame
  const numbered = p.map((x, i) => ({ ...x, pkgId: 200 + i + (i >= 2 ? 1 : 0) }));
  for (const x of numbered) r.push(x, 0);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
    'delivered on its last fragment, no waiting',
  );
  assert.deepEqual(drops, []);
});

test('a lost video fragment is never mistaken for lost audio, whatever the fragment size', () => {
  for (const fragmentBytes of [16, 100, 1004]) {
    const { r, frames, drops } = collect();
    const p = video(fakeJpeg(3000), 0, { fragmentBytes });
    for (const x of p) if (x.pkgId !== 1) r.push(x, 0);
    assert.equal(frames.length, 0, `fragment ${fragmentBytes}`);
    r.tick(W);
    assert.deepEqual(
      drops.map((d) => d.reason),
      ['incomplete'],
    );
  }
});

test('audio: cmd 4 is alaw and cmd 6 pcm16; duplicates and older chunks are not played; separate ids per type', () => {
  const { r, audio: chunks } = collect();
  r.push(audio(10, 1), 0);
  r.push(audio(11, 2, Cmd.Pcm), 0);
  r.push(audio(11, 2, Cmd.Pcm), 0); // duplicate
  r.push(audio(13, 3), 0);
  r.push(audio(12, 4), 0); // older than 13: would be a glitch
  r.push(audio(14, 5, Cmd.Pcm), 0);
  assert.deepEqual(
    chunks.map((c) => [c.pkgId, c.format, c.payload[0]]),
    [
      [10, 'alaw', 1],
      [11, 'pcm16', 2],
      [13, 'alaw', 3],
      [14, 'pcm16', 5],
    ],
  );
  assert.equal(r.stats.duplicatePackets, 1);
  assert.equal(r.stats.latePackets, 1);
});

test('pkg_id wrap-around: frames across 0xFFFFFFFF → 0, reordered and with a resend, arrive intact and in order', () => {
  const { r, frames, drops } = collect();
  const sent = [fakeJpeg(4000, 1), fakeJpeg(4000, 2), fakeJpeg(4000, 3)];
  let id = 0xffff_fff8;
  const packets: Packet[] = [];
  for (const jpeg of sent) {
    const p = video(jpeg, id);
    packets.push(...p);
    id = (id + p.length) >>> 0;
  }
  assert.ok(
    packets.some((p) => p.pkgId === 0xffff_ffff) && packets.some((p) => p.pkgId === 0),
    'the packets cross the u32 wrap (ids 0xffffffff and 0 both sent)',
  );
  // swap neighbours across the wrap; lose one and resend it later
  const order = packets.map((_, i) => i);
  const wrapAt = packets.findIndex((p) => p.pkgId === 0);
  [order[wrapAt - 1], order[wrapAt]] = [order[wrapAt]!, order[wrapAt - 1]!];
  const lost = order.splice(3, 1)[0]!;
  for (const i of order) r.push(packets[i]!, 0);
  r.push(packets[lost]!, W - 1);
  assert.deepEqual(drops, []);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    sent,
  );
});

test('a stray packet with an absurd id is ignored; the stream goes on untouched', () => {
  const { r, frames, drops } = collect();
  const a = fakeJpeg(3000, 1);
  const b = fakeJpeg(3000, 2);
  const pa = video(a, 500);
  r.push(pa[0]!, 0);
  r.push(packet(Cmd.JpegFragment, MsgFlag.FirstFragment, 0x9000_0000, Buffer.from([0xff, 0xd8])), 0);
  r.push(audio(0x7000_0000), 0);
  for (const x of [...pa.slice(1), ...video(b, 500 + pa.length)]) r.push(x, 0);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [a, b],
  );
  assert.deepEqual(drops, []);
  assert.equal(r.stats.outOfRangePackets, 1);
  assert.equal(r.stats.resyncs, 0);
});

test('a real counter jump (restart) resynchronises after a few packets; frames after it are delivered', () => {
  const { r, frames, drops } = collect();
  const a = fakeJpeg(3000, 1);
  for (const x of video(a, 40_000)) r.push(x, 0);
  const half = video(fakeJpeg(3000, 9), 40_100).slice(0, 2); // a frame in progress when the counter restarts
  for (const x of half) r.push(x, 1);
  const sent = [fakeJpeg(8000, 2), fakeJpeg(3000, 3)];
  let id = 3;
  for (const jpeg of sent) {
    const p = video(jpeg, id);
    id += p.length;
    for (const x of p) r.push(x, 2);
  }
  assert.ok(video(sent[0]!, 0).length >= JUMP_CONFIRM_PACKETS, 'the first frame after the jump confirms it');
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [a, ...sent],
  );
  assert.deepEqual(
    drops.map((d) => d.reason),
    ['jump'],
  );
  assert.equal(r.stats.resyncs, 1);
});

test('frames without 250/251/252 flags are cut at FFD8…FFD9, with or without a tail, audio between them', () => {
  for (const tail of [4, 5, 6]) {
    const { r, frames, drops } = collect();
    const sent = [fakeJpeg(5000, 1), fakeJpeg(2999, 2), fakeJpeg(300, 3), fakeJpeg(4010, 4)];
    let id = 0;
    for (const jpeg of sent) {
      const p = video(jpeg, 0, { flags: false, tail });
      for (const [i, x] of p.entries()) {
        r.push({ ...x, pkgId: id++ }, 0);
        if (i === 0) r.push(audio(id++), 0);
      }
    }
    assert.deepEqual(
      frames.map((f) => f.jpeg),
      sent,
      `tail ${tail}`,
    );
    assert.deepEqual(drops, []);
  }
});

test('the tail is stripped whatever its length (4–8 bytes); the JPEG ends at its FFD9', () => {
  for (let tail = 4; tail <= 8; tail++) {
    const { r, frames } = collect();
    const jpeg = fakeJpeg(2000 + tail);
    for (const x of video(jpeg, 0, { tail })) r.push(x, 0);
    assert.deepEqual(
      frames.map((f) => f.jpeg),
      [jpeg],
      `tail ${tail}`,
    );
  }
});

test('reset forgets what is in flight: a restarted stream with low ids is accepted at once', () => {
  const { r, frames } = collect();
  for (const x of video(fakeJpeg(3000, 1), 90_000).slice(0, 2)) r.push(x, 0);
  r.reset();
  const b = fakeJpeg(3000, 2);
  for (const x of video(b, 1)) r.push(x, 1);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
  assert.equal(r.heldBytes, 0);
});

/** Arrival of one copy of a packet at a time. */
interface Arrival {
  readonly at: number;
  readonly seq: number;
  readonly packet: Packet;
}

test('property: under random loss, reordering, duplicates and resends, every frame whose fragments all arrive within the window is delivered exactly once, byte-exact and in order; nothing else is', () => {
  fc.assert(
    fc.property(
      fc.record({
        start: fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0xffff_ff00, max: 0xffff_ffff })),
        // At most ~750 ids in flight: well inside ID_SPAN, as a real stream within one window is.
        sizes: fc.array(fc.integer({ min: 60, max: 3000 }), { minLength: 1, maxLength: 8 }),
        fragmentBytes: fc.integer({ min: 64, max: 1004 }),
        tail: fc.integer({ min: 4, max: 8 }),
        counter: fc.constantFrom('shared', 'separate', 'none'),
        audioEvery: fc.integer({ min: 1, max: 6 }),
        pcm: fc.boolean(),
        spacing: fc.integer({ min: 0, max: 150 }),
        lossPct: fc.integer({ min: 0, max: 40 }),
        resendPct: fc.integer({ min: 0, max: 100 }),
        dupPct: fc.integer({ min: 0, max: 20 }),
        fates: fc.array(
          fc.record({
            a: fc.nat(99),
            b: fc.nat(99),
            c: fc.nat(99),
            delay: fc.nat(W - 1),
            resendDelay: fc.nat(W - 1),
            dupDelay: fc.nat(W - 1),
          }),
          {
            minLength: 1,
            maxLength: 64,
          },
        ),
      }),
      (c) => {
        const sent = c.sizes.map((size, i) => fakeJpeg(size, i + 1));
        // Number packets as the camera sends them; audio far away on a separate counter.
        let videoId = c.start;
        let audioId = (c.start + 0x8000_0000) >>> 0;
        const outgoing: { packet: Packet; sentAt: number; frame: number | undefined }[] = [];
        let k = 0;
        for (const [frame, jpeg] of sent.entries()) {
          for (const fragment of fragmentsOf(jpeg, { fragmentBytes: c.fragmentBytes, tail: c.tail })) {
            if (c.counter !== 'none' && k++ % c.audioEvery === 0) {
              const id = c.counter === 'shared' ? videoId++ : audioId++;
              outgoing.push({ packet: audio(id >>> 0, 0x10, c.pcm ? Cmd.Pcm : Cmd.G711Alaw), sentAt: frame * c.spacing, frame: undefined });
            }
            outgoing.push({
              packet: packet(Cmd.JpegFragment, fragment.msgFlag, videoId++ >>> 0, fragment.payload),
              sentAt: frame * c.spacing,
              frame,
            });
          }
        }
        const arrivals: Arrival[] = [];
        const arrivedVideo = sent.map(() => new Set<number>());
        outgoing.forEach(({ packet: p, sentAt, frame }, i) => {
          const fate = c.fates[i % c.fates.length]!;
          const copies: number[] = [];
          if (fate.a >= c.lossPct) copies.push(fate.delay);
          else if (fate.b < c.resendPct) copies.push(fate.resendDelay);
          if (copies.length > 0 && fate.c < c.dupPct) copies.push(fate.dupDelay);
          for (const delay of copies) arrivals.push({ at: sentAt + delay, seq: arrivals.length, packet: p });
          if (frame !== undefined && copies.length > 0) arrivedVideo[frame]!.add(p.pkgId);
        });
        arrivals.sort((x, y) => x.at - y.at || x.seq - y.seq);

        const { r, frames } = collect();
        for (const { at, packet: p } of arrivals) {
          r.tick(at);
          r.push(p, at);
          assert.ok(r.heldBytes <= DEFAULT_MAX_HELD_BYTES, `held ${r.heldBytes} bytes, cap ${DEFAULT_MAX_HELD_BYTES}`);
        }
        r.tick((arrivals.at(-1)?.at ?? 0) + W);

        // Stream start: what lies before the first video packet that arrived counts as joined mid-stream.
        const firstVideo = arrivals.find((a) => a.packet.cmd === Cmd.JpegFragment)?.packet;
        const startFrame = firstVideo ? outgoing.find((o) => o.packet === firstVideo)!.frame! : sent.length;
        const startsClean = firstVideo?.msgFlag === MsgFlag.FirstFragment || firstVideo?.msgFlag === MsgFlag.Whole;
        const frameIds = sent.map((_, f) => outgoing.filter((o) => o.frame === f).map((o) => o.packet.pkgId));

        const deliveredFrames = frames.map((d) => {
          const f = frameIds.findIndex((ids) => ids[0] === d.firstPkgId);
          assert.ok(f >= 0, 'a delivered frame starts where a sent frame starts');
          assert.ok(d.jpeg.equals(sent[f]!), `frame ${f} byte-exact`);
          assert.equal(d.lastPkgId, frameIds[f]!.at(-1));
          return f;
        });
        for (let i = 1; i < deliveredFrames.length; i++) assert.ok(deliveredFrames[i]! > deliveredFrames[i - 1]!, 'in order, once each');
        const complete = sent.map((_, f) => frameIds[f]!.every((id) => arrivedVideo[f]!.has(id)));
        for (const [f, allArrived] of complete.entries()) {
          const required = allArrived && (f > startFrame || (f === startFrame && startsClean));
          if (required) assert.ok(deliveredFrames.includes(f), `frame ${f} had all its fragments in time`);
          if (!allArrived) assert.ok(!deliveredFrames.includes(f), `frame ${f} lost a fragment and cannot be delivered`);
        }
      },
    ),
    { numRuns: 400 },
  );
});

test('property: memory stays bounded and counters consistent under any id pattern', () => {
  const maxHeldBytes = 64 * 1024;
  const maxFrameBytes = 16 * 1024;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cmd: fc.constantFrom(Cmd.JpegFragment, Cmd.JpegFragment, Cmd.JpegFragment, Cmd.G711Alaw, Cmd.Pcm, Cmd.Json),
          msgFlag: fc.constantFrom(250, 251, 251, 251, 252, 255, 0, 9),
          step: fc.oneof(
            fc.constant(1),
            fc.constant(1),
            fc.constant(0),
            fc.integer({ min: -40, max: 40 }),
            fc.integer({ min: 0, max: 0xffff_ffff }),
          ),
          size: fc.integer({ min: 0, max: 3000 }),
          soi: fc.boolean(),
          eoi: fc.boolean(),
          dt: fc.nat(80),
        }),
        { maxLength: 400 },
      ),
      (items) => {
        const { r, frames, drops } = collect({ maxHeldBytes, maxFrameBytes });
        let pkg = 0;
        let now = 0;
        for (const item of items) {
          pkg = (pkg + item.step) >>> 0;
          now += item.dt;
          const payload = Buffer.alloc(item.size, 0x33);
          if (item.soi && payload.length >= 2) payload.writeUInt16BE(0xffd8, 0);
          if (item.eoi && payload.length >= 4) payload.writeUInt16BE(0xffd9, payload.length - 2);
          r.push(packet(item.cmd, item.msgFlag, pkg, payload), now);
          assert.ok(r.heldBytes <= maxHeldBytes, `held ${r.heldBytes}`);
          assert.ok(r.heldPackets <= ID_SPAN, `held ${r.heldPackets} packets, cap ${ID_SPAN}`);
          assert.ok(r.confirmIds().length <= MAX_UNCONFIRMED_IDS + ID_SPAN, 'confirm ids stay within the unconfirmed cap plus the window');
          if (item.dt > 40) r.confirmSent();
        }
        for (const f of frames) {
          assert.equal(f.jpeg[0], 0xff);
          assert.equal(f.jpeg[1], 0xd8);
          assert.equal(f.jpeg[f.jpeg.length - 2], 0xff);
          assert.equal(f.jpeg[f.jpeg.length - 1], 0xd9);
          assert.ok(f.jpeg.length <= maxFrameBytes, `delivered frame of ${f.jpeg.length} bytes, cap ${maxFrameBytes}`);
        }
        const stats = r.stats;
        assert.equal(stats.framesDelivered, frames.length);
        assert.equal(stats.framesDropped, drops.length);
        assert.equal(
          Object.values(stats.dropReasons).reduce((a, b) => a + b, 0),
          stats.framesDropped,
        );
        r.tick(now + W);
        assert.ok(r.heldBytes <= maxHeldBytes, `held ${r.heldBytes} bytes after the last tick, cap ${maxHeldBytes}`);
      },
    ),
    { numRuns: 500 },
  );
});

test('a flood of ids far apart never grows the window: held packets and confirm ids stay capped', () => {
  const { r } = collect();
  const payload = Buffer.alloc(1000, 0x22);
  for (let i = 0; i < 50_000; i++) r.push(packet(Cmd.JpegFragment, MsgFlag.MiddleFragment, (i * 2654435761) >>> 0, payload), i);
  assert.ok(r.heldBytes <= DEFAULT_MAX_HELD_BYTES, `held ${r.heldBytes} bytes, cap ${DEFAULT_MAX_HELD_BYTES}`);
  assert.ok(r.heldPackets <= ID_SPAN, `held ${r.heldPackets} packets, cap ${ID_SPAN}`);
  assert.ok(
    r.confirmIds().length <= MAX_UNCONFIRMED_IDS + ID_SPAN,
    `${r.confirmIds().length} confirm ids, cap ${MAX_UNCONFIRMED_IDS + ID_SPAN}`,
  );
  assert.ok(r.stats.unconfirmedOverflow > 0, `the unconfirmed-id overflow is counted, got ${r.stats.unconfirmedOverflow}`);
});
