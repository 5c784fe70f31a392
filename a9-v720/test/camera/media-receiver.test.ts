import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CameraMediaReceiver } from '../../src/camera/media-receiver.js';
import { LatencySamples } from '../../src/util/latency-samples.js';
import type { AudioFormat } from '../../src/camera/media-sink.js';
import { Cmd, MsgFlag, type Packet } from '../../src/protocol/header.js';
import { REORDER_WINDOW_MS } from '../../src/protocol/reassembly.js';
import { encodeRetransmitConfirm } from '../../src/protocol/retransmit.js';
import { captureLog } from '../support/log-capture.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const media = (cmd: number, msgFlag: number, pkgId: number, payload: Buffer): Packet => ({
  length: payload.length,
  cmd,
  msgFlag,
  dealFlag: 0,
  forwardId: Buffer.alloc(8),
  pkgId,
  payload,
});

/** The capture's first frame: pkg 2802…2827, 25 × 1004 + 680 bytes, declared size 25 775. */
function captureFirstFrame(): Packet[] {
  const jpeg = Buffer.alloc(25_775, 0x42);
  jpeg.writeUInt16BE(0xffd8, 0);
  jpeg.writeUInt16BE(0xffd9, jpeg.length - 2);
  const tail = Buffer.alloc(5);
  tail.writeUInt32LE(jpeg.length, 1);
  const data = Buffer.concat([jpeg, tail]);
  return Array.from({ length: 26 }, (_, i) =>
    media(
      Cmd.JpegFragment,
      i === 0 ? MsgFlag.FirstFragment : i === 25 ? MsgFlag.LastFragment : MsgFlag.MiddleFragment,
      2802 + i,
      data.subarray(i * 1004, (i + 1) * 1004),
    ),
  );
}

function receiver() {
  let now = 1000;
  const frames: Buffer[] = [];
  const audio: [Buffer, AudioFormat][] = [];
  const confirms: Buffer[] = [];
  const log = captureLog();
  const r = new CameraMediaReceiver({
    cameraId: 'cam1',
    sink: { pushFrame: (_id, jpeg) => frames.push(jpeg), pushAudio: (_id, payload, format) => audio.push([payload, format]) },
    sendConfirm: (datagram) => confirms.push(datagram),
    logger: log.logger,
    deliveryLatency: new LatencySamples(),
    now: () => now,
  });
  return { r, frames, audio, confirms, log, advance: (ms: number) => (now += ms) };
}

test('the first confirm goes out on the packet that completes the first frame and is the captured one', () => {
  const { r, frames, confirms } = receiver();
  const packets = captureFirstFrame();
  for (const p of packets.slice(0, -1)) r.onPacket(p);
  r.tick();
  assert.deepEqual(confirms, [], 'nothing before the first frame is complete');
  r.onPacket(packets.at(-1)!);
  assert.equal(frames.length, 1);
  assert.deepEqual(confirms, [
    hex(`68000000 5d02 00 00 3030303030303030 00000000
      f20a0000 f30a0000 f40a0000 f50a0000 f60a0000 f70a0000 f80a0000 f90a0000 fa0a0000 fb0a0000 fc0a0000 fd0a0000 fe0a0000
      ff0a0000 000b0000 010b0000 020b0000 030b0000 040b0000 050b0000 060b0000 070b0000 080b0000 090b0000 0a0b0000 0b0b0000`),
  ]);
});

test('A-law (cmd 4) and PCM (cmd 6) reach the sink with their format', () => {
  const { r, audio } = receiver();
  r.onPacket(media(Cmd.G711Alaw, MsgFlag.Whole, 1, Buffer.alloc(160, 0xd5)));
  r.onPacket(media(Cmd.Pcm, MsgFlag.Whole, 2, Buffer.alloc(320, 0x01)));
  assert.deepEqual(
    audio.map(([payload, format]) => [payload.length, format]),
    [
      [160, 'alaw'],
      [320, 'pcm16'],
    ],
  );
});

test('a frame with a lost fragment: once the burst pauses, confirms list what arrived; the tick drops it when the window runs out, with one log line', () => {
  const { r, frames, confirms, log, advance } = receiver();
  const first = captureFirstFrame();
  for (const p of first) r.onPacket(p);
  confirms.length = 0;
  const second = first.map((p) => ({ ...p, pkgId: p.pkgId + 26 }));
  for (const p of second) if (p.pkgId !== 2830) r.onPacket(p);
  advance(10);
  r.tick();
  assert.equal(confirms.length, 0, 'packets came 10 ms ago: the burst may go on, no list yet');
  advance(20);
  r.tick();
  assert.equal(confirms.length, 1, 'the frame in progress is confirmed without 2830');
  const listed = Array.from({ length: (confirms[0]!.length - 20) / 4 }, (_, i) => confirms[0]!.readUInt32LE(20 + i * 4));
  assert.deepEqual(
    listed,
    second.map((p) => p.pkgId).filter((id) => id !== 2830),
  );
  advance(30);
  r.tick();
  assert.equal(confirms.length, 1, 'unchanged and younger than 200 ms: not repeated');
  advance(REORDER_WINDOW_MS);
  r.tick();
  assert.equal(frames.length, 1);
  assert.equal(r.stats.reassembly.dropReasons.incomplete, 1);
  assert.ok(
    log.find(/^dropped an incomplete video frame \(incomplete: frame from pkg 2828: 1 packet\(s\) missing/),
    'the dropped incomplete frame is logged',
  );
});

test('a frame waiting for a lost packet: the unchanged list is repeated every 40 ms or so until the frame is complete, then the 200 ms pace again', () => {
  const { r, frames, confirms, advance } = receiver();
  const first = captureFirstFrame();
  for (const p of first) r.onPacket(p);
  confirms.length = 0;
  const second = first.map((p) => ({ ...p, pkgId: p.pkgId + 26 }));
  for (const p of second) if (p.pkgId !== 2830) r.onPacket(p);
  const expected = encodeRetransmitConfirm(second.map((p) => p.pkgId).filter((id) => id !== 2830));
  advance(25);
  r.tick();
  assert.deepEqual(confirms, [expected], 'the burst paused: the list without 2830');
  advance(25);
  r.tick();
  assert.equal(confirms.length, 1, '25 ms later: the camera may still be resending');
  advance(25);
  r.tick();
  assert.deepEqual(confirms, [expected, expected], '50 ms later, 2830 still missing: the same list again');
  assert.equal(r.stats.confirms.gapRepeats, 1);
  // The resend arrives: the frame is complete and delivered, its ids are confirmed once more.
  r.onPacket(second[2]!);
  assert.equal(frames.length, 2);
  assert.equal(confirms.length, 3);
  assert.deepEqual(confirms[2], encodeRetransmitConfirm(second.map((p) => p.pkgId)));
  for (let i = 0; i < 7; i++) {
    advance(25);
    r.tick();
  }
  assert.equal(confirms.length, 3, 'nothing waits and nothing new arrived: no further confirms');
  assert.equal(r.stats.confirms.gapRepeats, 1);
});
