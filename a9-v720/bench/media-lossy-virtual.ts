/**
 * The issue-10 lossy scenario on a virtual clock: the simulated camera's media logic (fragments
 * with interleaved audio, impairBurst, ResendBuffer and its resend timer) against the server's
 * receive path (CameraMediaReceiver: reorder window + confirm pacing, ticked every MEDIA_TICK_MS),
 * with no sockets and no timers. Its figures depend only on the protocol logic and the seed, not on
 * how loaded the machine is; bench/media-lossy.ts gives the same scenario over real sockets, where a
 * busy machine adds stalls of its own.
 *
 * Denominator: frames whose every video fragment reached the server at least once (originally or
 * as a resend), at any time — and, separately, within REORDER_WINDOW_MS of the frame's first
 * fragment reaching it. Delivered: frames handed to the sink, byte-exact (checked).
 *
 * Run: npx tsx bench/media-lossy-virtual.ts [--cameras 20] [--fps 10] [--seconds 60] [--loss 0.03]
 *        [--swap 0.05] [--delay 0] [--seed 1] [--gap-repeat-ms 40] [--resend-rearm 1] [--lag-ms 0]
 * --gap-repeat-ms 200: the vendor app's pace only (no sooner repeat while a frame waits).
 * --resend-rearm 0: the simulator's resend timer before it was fixed (a packet missed while the
 * timer was pending waited for the next confirm).
 * --lag-ms M: every timer (frame sends, resends, the server's tick) fires late by an exponentially
 * distributed delay of mean M ms, like an event loop on a busy machine (intervals keep their schedule).
 */
import { CameraMediaReceiver } from '../src/camera/media-receiver.js';
import { MEDIA_TICK_MS } from '../src/camera/session-manager.js';
import { Cmd, decodeDatagram } from '../src/protocol/header.js';
import { FRAME_DROP_REASONS, REORDER_WINDOW_MS } from '../src/protocol/reassembly.js';
import { CONFIRM_GAP_REPEAT_MS } from '../src/protocol/retransmit.js';
import { LatencySamples } from '../src/util/latency-samples.js';
import { loadAllFrames } from '../src/simulator/frame-library.js';
import { impairBurst, newImpairmentCounters, type ImpairmentOptions } from '../src/simulator/impairments.js';
import { encodeAudioPacket, encodeJpegFragments } from '../src/simulator/media-encoder.js';
import { ResendBuffer } from '../src/simulator/resend-buffer.js';
import { seededRandom } from '../src/simulator/seeded-random.js';
import { createLogger } from '../src/log.js';
import { numberArg, percentile } from './support.js';

const cameraCount = numberArg('cameras', 20);
const fps = numberArg('fps', 10);
const seconds = numberArg('seconds', 60);
const seed = numberArg('seed', 1);
const gapRepeatMs = numberArg('gap-repeat-ms', CONFIRM_GAP_REPEAT_MS);
const resendRearm = numberArg('resend-rearm', 1) !== 0;
/** Mean of an exponentially distributed lateness added to every timer (camera and server): a busy event loop. */
const lagMs = numberArg('lag-ms', 0);
const lagRandom = seededRandom(seed ^ 0x1a6);
const impairments: ImpairmentOptions = {
  loss: numberArg('loss', 0.03),
  swap: numberArg('swap', 0.05),
  delay: numberArg('delay', 0),
  delayMs: 40,
};
/** One datagram's trip over loopback, and the spacing of a burst's datagrams (ms). */
const TRANSIT_MS = 0.05;
const BURST_SPACING_MS = 0.02;
/** The firmware resend options the profiles use (simulator/profiles.ts FIRMWARE_RESENDS). */
const RESENDS = { graceMs: 20, resendDelayMs: 10, maxResends: 2 } as const;
const AUDIO_PER_SECOND = 20;
const FRAME_SLOTS = 16;

// ---- a virtual clock ------------------------------------------------------------------------

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}
const heap: Event[] = [];
let clock = 0;
let seq = 0;
function at(time: number, run: () => void): void {
  const event = { at: time, seq: seq++, run };
  heap.push(event);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}
const lateness = (): number => (lagMs > 0 ? -lagMs * Math.log(1 - lagRandom()) : 0);
/** A timer: due after `afterMs`, late by the simulated event-loop lag. */
function timer(afterMs: number, run: () => void): number {
  const due = clock + afterMs + lateness();
  at(due, run);
  return due;
}
/** An interval timer (setInterval): each run is late, but the schedule does not drift. */
function every(periodMs: number, firstAt: number, run: () => boolean): void {
  let nominal = firstAt;
  const fire = (): void => {
    if (!run()) return;
    nominal += periodMs;
    at(Math.max(clock, nominal + lateness()), fire);
  };
  at(nominal + lateness(), fire);
}
const before = (a: Event, b: Event): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
function pop(): Event | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}

// ---- one camera and its server-side receiver --------------------------------------------------

interface FrameRecord {
  readonly sentAt: number;
  readonly allIds: readonly number[];
  /** Video ids not yet arrived. */
  readonly ids: Set<number>;
  firstArrival: number | undefined;
  allArrivedAt: number | undefined;
  delivered: boolean;
}

const library = loadAllFrames();
const logger = createLogger('error');
const latency: number[] = [];
const totals = { framesSent: 0, allArrived: 0, allArrivedInWindow: 0, delivered: 0, corrupt: 0, lost: 0, resent: 0, confirms: 0 };
const measureFrom = 2000; // ms: let the streams settle
const measureTo = measureFrom + seconds * 1000;

function startCamera(index: number): CameraMediaReceiver {
  const random = seededRandom(seed * 7919 + index);
  const networkRandom = seededRandom((seed * 7919 + index) ^ 0x5eed);
  const counters = newImpairmentCounters();
  const resends = new ResendBuffer<Buffer>(RESENDS);
  const frames = Array.from({ length: FRAME_SLOTS }, (_, slot) => {
    const jpeg = library[(index + slot) % library.length]!;
    // Pad with a comment to ~25 KB so that frames have the usual 25 fragments.
    const text = Buffer.alloc(Math.max(0, 25_000 - jpeg.length - 4), 0x2e);
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), text]);
    segment.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
  });
  const records = new Map<number, FrameRecord>(); // by frame index
  const frameOfId = new Map<number, number>();
  let pkgId = 1000;
  let frameIndex = 0;
  let audioDue = 0;
  let resendTimerAt: number | undefined;
  let lastDelivered = -1;
  /** Frames first sent inside the measurement count. */
  const measuring = (record: FrameRecord): boolean => record.sentAt >= measureFrom && record.sentAt < measureTo;
  const phase = (index * 37) % 100;

  const receiver = new CameraMediaReceiver({
    cameraId: `cam${index}`,
    sink: {
      pushFrame: (_id, jpeg) => {
        // Which frame: frames are delivered in order, so the first one after the last delivered
        // whose JPEG matches (the content repeats every FRAME_SLOTS frames).
        for (const [i, record] of records) {
          if (i <= lastDelivered || record.allArrivedAt === undefined) continue;
          if (!frames[i % FRAME_SLOTS]!.equals(jpeg)) continue;
          record.delivered = true;
          lastDelivered = i;
          if (measuring(record)) {
            totals.delivered++;
            latency.push(clock - record.allArrivedAt);
          }
          return;
        }
        totals.corrupt++;
      },
      pushAudio: () => undefined,
    },
    sendConfirm: (datagram) => {
      if (clock >= measureFrom && clock < measureTo) totals.confirms++;
      at(clock + TRANSIT_MS, () => onConfirm(datagram));
    },
    logger,
    deliveryLatency: new LatencySamples(),
    now: () => clock,
    pacing: { gapRepeatMs },
  });

  const arrive = (datagram: Buffer): void => {
    const decoded = decodeDatagram(datagram);
    if (!decoded.ok) return;
    const id = decoded.packet.pkgId;
    const frame = decoded.packet.cmd === Cmd.JpegFragment ? frameOfId.get(id) : undefined;
    if (frame !== undefined) {
      const record = records.get(frame);
      if (record) {
        record.firstArrival ??= clock;
        if (record.ids.delete(id) && record.ids.size === 0) {
          record.allArrivedAt = clock;
          if (measuring(record)) {
            totals.allArrived++;
            if (clock - record.firstArrival <= REORDER_WINDOW_MS) totals.allArrivedInWindow++;
          }
        }
      }
    }
    receiver.onPacket(decoded.packet);
  };

  const transmit = (burst: Buffer[]): void => {
    const lostBefore = counters.lost;
    const { now, later } = impairBurst(burst, impairments, networkRandom, counters);
    if (clock >= measureFrom && clock < measureTo) totals.lost += counters.lost - lostBefore;
    now.forEach((datagram, i) => at(clock + TRANSIT_MS + i * BURST_SPACING_MS, () => arrive(datagram)));
    for (const { item, afterMs } of later) at(clock + afterMs + TRANSIT_MS, () => arrive(item));
  };

  const fireResends = (): void => {
    resendTimerAt = undefined;
    const due = resends.due(clock);
    if (due.length > 0) {
      if (clock >= measureFrom && clock < measureTo) totals.resent += due.length;
      transmit(due.map((p) => p.item));
    }
    const next = resends.nextDueAt();
    if (resendRearm && next !== undefined) scheduleResends(Math.max(1, next - clock + 1));
  };
  const scheduleResends = (afterMs: number): void => {
    resendTimerAt = timer(afterMs, fireResends);
  };
  const onConfirm = (datagram: Buffer): void => {
    const payload = datagram.subarray(20);
    const ids: number[] = [];
    for (let offset = 0; offset + 4 <= payload.length; offset += 4) ids.push(payload.readUInt32LE(offset));
    resends.confirm(ids, clock);
    if (resendTimerAt === undefined) scheduleResends(resends.resendDelayMs + 1);
  };

  const sendFrame = (): boolean => {
    const index = frameIndex++;
    const { datagrams } = encodeJpegFragments(frames[index % FRAME_SLOTS]!, 0);
    audioDue += AUDIO_PER_SECOND / fps;
    const audioCount = Math.floor(audioDue);
    audioDue -= audioCount;
    const slots = datagrams.map(() => 0);
    for (let n = 0; n < audioCount; n++) slots[Math.floor(random() * slots.length)]!++;
    const burst: Buffer[] = [];
    const ids = new Set<number>();
    datagrams.forEach((fragment, i) => {
      for (let n = 0; n < slots[i]!; n++) burst.push(encodeAudioPacket(Buffer.alloc(400, 0xd5), pkgId++));
      fragment.writeUInt32LE(pkgId, 16);
      ids.add(pkgId);
      frameOfId.set(pkgId, index);
      pkgId++;
      burst.push(fragment);
    });
    const record: FrameRecord = {
      sentAt: clock,
      allIds: [...ids],
      ids,
      firstArrival: undefined,
      allArrivedAt: undefined,
      delivered: false,
    };
    records.set(index, record);
    if (records.size > 100) {
      const oldest = records.keys().next().value as number;
      for (const id of records.get(oldest)!.allIds) frameOfId.delete(id);
      records.delete(oldest);
    }
    for (const datagram of burst) resends.sent(datagram.readUInt32LE(16), datagram, clock);
    if (measuring(record)) totals.framesSent++;
    transmit(burst);
    return clock < measureTo + 1000;
  };
  every(1000 / fps, phase, sendFrame);
  return receiver;
}

const receivers = Array.from({ length: cameraCount }, (_, i) => startCamera(i));
const tick = (): boolean => {
  for (const receiver of receivers) receiver.tick();
  return clock < measureTo + 2000;
};
every(MEDIA_TICK_MS, MEDIA_TICK_MS, tick);
const gapRepeats = (): number => receivers.reduce((total, r) => total + r.stats.confirms.gapRepeats, 0);
let gapRepeatsAtStart = 0;
let gapRepeatsMeasured = 0;
at(measureFrom, () => (gapRepeatsAtStart = gapRepeats()));
at(measureTo, () => (gapRepeatsMeasured = gapRepeats() - gapRepeatsAtStart));
const wallStart = performance.now();
for (let event = pop(); event; event = pop()) {
  clock = event.at;
  event.run();
}
const stats = receivers.map((r) => r.stats);
const sum = (pick: (s: (typeof stats)[number]) => number): number => stats.reduce((total, s) => total + pick(s), 0);
console.log(
  JSON.stringify(
    {
      config: { cameras: cameraCount, fps, seconds, seed, impairments, resends: RESENDS, gapRepeatMs, resendRearm, lagMs },
      framesSent: totals.framesSent,
      framesAllFragmentsArrivedAnyTime: totals.allArrived,
      framesAllFragmentsArrivedWithinWindow: totals.allArrivedInWindow,
      framesDelivered: totals.delivered,
      deliveredOfArrivedPercent: Number(((100 * totals.delivered) / totals.allArrived).toFixed(3)),
      deliveredOfArrivedWithinWindowPercent: Number(((100 * totals.delivered) / totals.allArrivedInWindow).toFixed(3)),
      corruptFrames: totals.corrupt,
      addedLatencyP50Ms: Number(percentile(latency, 50).toFixed(2)),
      addedLatencyP99Ms: Number(percentile(latency, 99).toFixed(2)),
      confirmsPerCameraPerSecond: Number((totals.confirms / cameraCount / seconds).toFixed(2)),
      gapRepeatsPerCameraPerSecond: Number((gapRepeatsMeasured / cameraCount / seconds).toFixed(2)),
      datagramsLost: totals.lost,
      packetsResent: totals.resent,
      dropReasons: Object.fromEntries(
        FRAME_DROP_REASONS.map((reason): [string, number] => [reason, sum((s) => s.reassembly.dropReasons[reason])]).filter(
          ([, n]) => n !== 0,
        ),
      ),
      wallMs: Math.round(performance.now() - wallStart),
    },
    null,
    2,
  ),
);
