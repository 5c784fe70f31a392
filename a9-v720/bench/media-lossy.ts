/**
 * Issue 10 benchmark: media over a real home network. C simulated cameras at F fps (~25 KB frames,
 * A-law audio interleaved), each losing L of its datagrams and resending what the server's 605
 * confirms did not list, swapping S of them with a neighbour; V MJPEG viewers per camera; D seconds;
 * one server process (compiled build). Then, unless --clean 0, the same on a clean network.
 *
 * Per run it prints:
 * - framesAllPacketsArrived (the denominator): frames of the measurement whose every video fragment
 *   was put on the loopback socket at least once, as an original or a resend, and not eaten by the
 *   simulated network — at any time (the simulator knows). Loopback itself does not lose datagrams
 *   unless a socket buffer overflows, so this is "all fragments arrived at the server at any time".
 * - framesAllPacketsArrivedWithinWindow: of those, the frames whose last missing fragment left
 *   within REORDER_WINDOW_MS of the frame's first SEND (the server counts from the first packet that
 *   ARRIVES, so the ratio on this one can exceed 100 % under load).
 * - frames delivered intact per viewer, delivered / all-arrived (target) and / all-arrived-within-
 *   window; added latency p50/p99 (last packet of a frame put on the wire → MJPEG part received by
 *   the viewer); server CPU per delivered frame (server CPU time / distinct frames delivered, counted
 *   on each camera's first viewer); peak RSS; confirms received per camera per second.
 * With --diagnose 1: for every fully-arrived frame the first viewer did not get, which fragment came
 * last, the fate of each of its sends and the confirms meanwhile, and which side was slowest.
 *
 * Run: npx tsx bench/media-lossy.ts [--cameras 20] [--fps 10] [--viewers 2] [--seconds 60]
 *        [--loss 0.03] [--swap 0.05] [--delay 0] [--resend 1] [--separate-audio 0] [--clean 1] [--diagnose 0]
 * Targets (issue 10): delivered / all-arrived (at any time) ≥ 99.5 %, added latency p99 ≤ 150 ms,
 * CPU per delivered frame no worse than on the clean network.
 */
import http from 'node:http';
import { boundaryFromContentType, MjpegPartParser } from '../src/media/mjpeg.js';
import { loadAllFrames } from '../src/simulator/frame-library.js';
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import type { ImpairmentOptions } from '../src/simulator/impairments.js';
import type { MediaDatagramTrace, SimulatedCamera } from '../src/simulator/simulated-camera.js';
import { REORDER_WINDOW_MS } from '../src/protocol/reassembly.js';
import { mb, numberArg, percentile, processUsage, sleep, startServerProcess } from './support.js';

const cameraCount = numberArg('cameras', 20);
const fps = numberArg('fps', 10);
const viewersPerCamera = numberArg('viewers', 2);
const seconds = numberArg('seconds', 60);
const lossy: ImpairmentOptions = {
  loss: numberArg('loss', 0.03),
  swap: numberArg('swap', 0.05),
  delay: numberArg('delay', 0),
  delayMs: 40,
};
const resend = numberArg('resend', 1) !== 0;
const separateAudio = numberArg('separate-audio', 0) !== 0;
const withCleanRun = numberArg('clean', 1) !== 0;
/** Print why each frame that fully arrived was not delivered (from the cameras' datagram traces). */
const diagnose = numberArg('diagnose', 0) !== 0;
/** Distinct frames per camera; a frame's slot (index mod this) is in its JPEG comment. */
const FRAME_SLOTS = 50;

/** Library frames padded with a JPEG comment to ~25 KB, tagged with camera and slot (still valid JPEGs). */
function framesOf(cameraId: string): Buffer[] {
  const library = loadAllFrames();
  return Array.from({ length: FRAME_SLOTS }, (_, slot) => {
    const jpeg = library[slot % library.length]!;
    const tag = `${cameraId}#${String(slot).padStart(3, '0')}#`;
    const text = Buffer.from(tag.padEnd(Math.max(tag.length, 25_000 - jpeg.length - 4), '.'), 'ascii');
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), text]);
    segment.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
  });
}

function slotOf(part: Buffer): number | undefined {
  // The comment starts right after SOI + FFFE + length: "<id>#<slot>#".
  const text = part.toString('latin1', 6, 6 + 40);
  const match = /^[^#]+#(\d{3})#/.exec(text);
  return match ? Number(match[1]) : undefined;
}

interface CameraTrack {
  readonly camera: SimulatedCamera;
  readonly frames: Buffer[];
  /** Slot → the latest frame in that slot that was fully on the wire: its index and when. */
  readonly onWire: Map<number, { readonly index: number; readonly at: number }>;
  /** Frame index at the start of the measurement window. */
  firstIndex: number;
  onWireInWindow: number;
  /** Of those, frames whose last packet left within REORDER_WINDOW_MS of the frame's first. */
  onWireWithinReorderWindow: number;
  /** Frame index → when its first packets went out (until the frame is fully on the wire). */
  readonly sentAt: Map<number, number>;
  /** Frame indexes the first viewer received intact (measurement window only). */
  readonly deliveredIndexes: Set<number>;
  readonly trace: CameraTrace | undefined;
}

/** --diagnose: per camera, what became of each media datagram and which confirms came, bounded. */
interface CameraTrace {
  readonly frameIds: Map<number, readonly number[]>;
  readonly onWireAt: Map<number, number>;
  readonly datagrams: Map<number, MediaDatagramTrace[]>;
  readonly confirms: { readonly at: number; readonly ids: ReadonlySet<number> }[];
}

const TRACE_KEPT_FRAMES = 2000;
const TRACE_KEPT_IDS = 60_000;

function traceCamera(camera: SimulatedCamera): CameraTrace {
  const trace: CameraTrace = { frameIds: new Map(), onWireAt: new Map(), datagrams: new Map(), confirms: [] };
  camera.on('frameSent', (_jpeg, index, videoIds) => {
    trace.frameIds.set(index, videoIds);
    if (trace.frameIds.size > TRACE_KEPT_FRAMES) trace.frameIds.delete(trace.frameIds.keys().next().value as number);
  });
  camera.on('frameOnWire', (index, at) => trace.onWireAt.set(index, at));
  camera.on('mediaDatagram', (event) => {
    let history = trace.datagrams.get(event.pkgId);
    if (!history) {
      history = [];
      trace.datagrams.set(event.pkgId, history);
      if (trace.datagrams.size > TRACE_KEPT_IDS) trace.datagrams.delete(trace.datagrams.keys().next().value as number);
    }
    history.push(event);
  });
  camera.on('confirmReceived', (ids, at) => {
    trace.confirms.push({ at, ids: new Set(ids) });
  });
  return trace;
}

/**
 * One line per frame that fully arrived but was not delivered: when its last-arriving fragment
 * made it (ms after the frame's first datagram left), that fragment's position, the fate of each
 * of its sends, and the confirms the camera got meanwhile (ms, and whether they listed it).
 */
function explainDrop(trace: CameraTrace, index: number): { pattern: string; line: string } | undefined {
  const ids = trace.frameIds.get(index);
  const doneAt = trace.onWireAt.get(index);
  if (!ids || doneAt === undefined) return undefined;
  let t0 = Number.POSITIVE_INFINITY;
  for (const id of ids) for (const e of trace.datagrams.get(id) ?? []) if (!e.resend) t0 = Math.min(t0, e.at);
  // The fragment that completed the frame: the one whose first 'wire' event is latest.
  let lateId = ids[0]!;
  let lateAt = Number.NEGATIVE_INFINITY;
  for (const id of ids) {
    const firstWire = (trace.datagrams.get(id) ?? []).find((e) => e.fate === 'wire');
    if (firstWire && firstWire.at > lateAt) {
      lateAt = firstWire.at;
      lateId = id;
    }
  }
  const position = lateId === ids[0] ? 'first' : lateId === ids.at(-1) ? 'last' : 'middle';
  const sends = (trace.datagrams.get(lateId) ?? []).map((e) => `${e.resend ? 'resend' : 'send'} ${e.fate}@${(e.at - t0).toFixed(0)}`);
  const lostOthers = ids.filter((id) => id !== lateId && (trace.datagrams.get(id) ?? [])[0]?.fate === 'lost').length;
  const confirms = trace.confirms
    .filter((c) => c.at >= t0 && c.at <= lateAt + 1)
    .map((c) => `${(c.at - t0).toFixed(0)}${c.ids.has(lateId) ? '+' : '-'}`);
  // Which side was slow: after each lost send of the late fragment, the first confirm that by
  // the simulated firmware's documented rule (resend-buffer.ts: grace 20 ms if a later id is
  // listed, else 60 ms) shows it missing, and how long the camera then took to send it again.
  const history = trace.datagrams.get(lateId) ?? [];
  const steps: string[] = [];
  let slowest = 'none';
  let worst = 0;
  for (let i = 0; i < history.length; i++) {
    const send = history[i]!;
    if (send.fate !== 'lost') continue;
    const qualifying = trace.confirms.find(
      (c) =>
        c.at > send.at && !c.ids.has(lateId) && (c.at - send.at >= 60 || (c.at - send.at >= 20 && [...c.ids].some((id) => id > lateId))),
    );
    const next = history[i + 1];
    const confirmAfter = qualifying ? qualifying.at - send.at : Number.POSITIVE_INFINITY;
    const cameraAfter = qualifying && next ? next.at - qualifying.at : Number.POSITIVE_INFINITY;
    steps.push(`confirm +${confirmAfter.toFixed(0)} then send +${cameraAfter.toFixed(0)}`);
    if (confirmAfter - 20 > worst) {
      worst = confirmAfter - 20;
      slowest = 'server confirm';
    }
    if (cameraAfter - 11 > worst) {
      worst = cameraAfter - 11;
      slowest = 'camera resend';
    }
  }
  const pattern = `${position}: ${history.map((e) => `${e.resend ? 'R' : 'S'}${e.fate === 'lost' ? 'x' : 'ok'}`).join(' ')}; slowest: ${slowest}`;
  const line =
    `frame ${index}: complete @${(doneAt - t0).toFixed(0)} ms; pkg ${lateId} (${position} of ${ids.length}; ${lostOthers} other first sends lost): ` +
    `${sends.join(', ')}; confirms ${confirms.join(' ') || 'none'}; ${steps.join('; ')}`;
  return { pattern, line };
}

interface ViewerTrack {
  delivered: number;
  corrupt: number;
  readonly latenciesMs: number[];
  close(): void;
}

/** Counts the parts of frames sent in the measurement window (index ≥ track.firstIndex). */
function openViewer(port: number, track: CameraTrack, first: boolean): ViewerTrack {
  const viewer: ViewerTrack = { delivered: 0, corrupt: 0, latenciesMs: [], close: () => request.destroy() };
  const request = http.get({ host: '127.0.0.1', port, path: `/api/cameras/${track.camera.id}/stream` }, (res) => {
    const parser = new MjpegPartParser(boundaryFromContentType(String(res.headers['content-type'])) ?? '');
    res.on('data', (chunk: Buffer) => {
      const now = performance.now();
      for (const part of parser.push(chunk)) {
        const slot = slotOf(part);
        if (slot === undefined || !track.frames[slot]!.equals(part)) {
          viewer.corrupt++;
          continue;
        }
        const frame = track.onWire.get(slot);
        if (frame === undefined || frame.index < track.firstIndex) continue;
        viewer.delivered++;
        if (first) track.deliveredIndexes.add(frame.index);
        viewer.latenciesMs.push(now - frame.at);
      }
    });
    res.on('error', () => undefined);
  });
  request.on('error', () => undefined);
  return viewer;
}

interface RunResult {
  readonly network: string;
  readonly framesSent: number;
  readonly framesAllPacketsArrived: number;
  /** Frames whose packets all left within the server's reorder window (REORDER_WINDOW_MS) of the frame's first. */
  readonly framesAllPacketsArrivedWithinWindow: number;
  readonly framesDeliveredIntactPerViewer: number;
  readonly deliveredOfArrivedPercent: number;
  readonly deliveredOfArrivedWithinWindowPercent: number;
  readonly deliveredOfSentPercent: number;
  readonly corruptParts: number;
  readonly addedLatencyP50Ms: number;
  readonly addedLatencyP99Ms: number;
  readonly serverCpuMsPerDeliveredFrame: number;
  readonly serverCpuPercentAvg: number;
  readonly serverPeakRss: string;
  readonly datagramsLost: number;
  readonly datagramsSwapped: number;
  readonly packetsResent: number;
  /** 605 datagrams the cameras received, per camera per second of the measurement. */
  readonly confirmsPerCameraPerSecond: number;
  readonly serverWarnings: number;
  /** The first few distinct warning lines of the server (drop reasons and the like). */
  readonly serverWarningSamples: string[];
}

function printDiagnosis(network: string, tracks: readonly CameraTrack[]): void {
  const patterns = new Map<string, number>();
  const lines: string[] = [];
  let undelivered = 0;
  for (const track of tracks) {
    if (!track.trace) continue;
    for (const [index] of track.trace.onWireAt) {
      if (index < track.firstIndex || track.deliveredIndexes.has(index)) continue;
      undelivered++;
      const explained = explainDrop(track.trace, index);
      if (!explained) continue;
      patterns.set(explained.pattern, (patterns.get(explained.pattern) ?? 0) + 1);
      lines.push(`${track.camera.id} ${explained.line}`);
    }
  }
  console.log(`--- ${network}: ${undelivered} fully-arrived frames not delivered to the first viewer`);
  for (const [pattern, count] of [...patterns].sort((a, b) => b[1] - a[1])) console.log(`${String(count).padStart(5)}  ${pattern}`);
  for (const line of lines.slice(0, 40)) console.log(line);
}

async function run(network: string, impairments: ImpairmentOptions, resends: boolean): Promise<RunResult> {
  const server = await startServerProcess();
  const pid = server.child.pid!;
  const fleet = createFleet({
    count: cameraCount,
    host: '127.0.0.1',
    httpPort: server.ports.http,
    fps,
    heartbeatMs: 5000,
    idPrefix: '0800c0L',
    framesFor: framesOf,
    overrides: {
      impairments,
      resend: resends ? { graceMs: 20, resendDelayMs: 10, maxResends: 2 } : false,
      audioCounter: separateAudio ? 'separate' : 'shared',
    },
  });
  const tracks: CameraTrack[] = fleet.map((camera) => {
    const frames = framesOf(camera.id);
    const track: CameraTrack = {
      camera,
      frames,
      onWire: new Map(),
      firstIndex: Number.POSITIVE_INFINITY,
      onWireInWindow: 0,
      onWireWithinReorderWindow: 0,
      sentAt: new Map(),
      deliveredIndexes: new Set(),
      trace: diagnose ? traceCamera(camera) : undefined,
    };
    camera.on('frameSent', (_jpeg, frameIndex) => {
      track.sentAt.set(frameIndex, performance.now());
      // Bounded: a frame that never completes is forgotten after a while.
      if (track.sentAt.size > 200) track.sentAt.delete(track.sentAt.keys().next().value as number);
    });
    camera.on('frameOnWire', (frameIndex, at) => {
      track.onWire.set(frameIndex % FRAME_SLOTS, { index: frameIndex, at });
      const sentAt = track.sentAt.get(frameIndex);
      track.sentAt.delete(frameIndex);
      if (frameIndex < track.firstIndex) return;
      track.onWireInWindow++;
      // No sentAt: the frame was complete during its own first send (frameSent comes right after it).
      if (sentAt === undefined || at - sentAt <= REORDER_WINDOW_MS) track.onWireWithinReorderWindow++;
    });
    return track;
  });
  await Promise.all(fleet.map((camera) => camera.start()));
  const viewers = tracks.map((track) => Array.from({ length: viewersPerCamera }, (_, i) => openViewer(server.ports.web, track, i === 0)));
  // Let every stream open (handshake) and run a little before measuring.
  const settleDeadline = performance.now() + 20_000;
  while (tracks.some((t) => t.camera.stats.framesSent < 10) && performance.now() < settleDeadline) await sleep(100);
  const sentAtStart = tracks.map((t) => t.camera.stats.framesSent);
  for (const t of tracks) t.firstIndex = t.camera.stats.framesSent;
  const counters = (key: 'lost' | 'swapped') => tracks.reduce((sum, t) => sum + t.camera.stats.impairments[key], 0);
  const resentBefore = tracks.reduce((sum, t) => sum + t.camera.stats.resends.resent, 0);
  const confirmsBefore = tracks.reduce((sum, t) => sum + t.camera.stats.confirmsReceived, 0);
  const lostBefore = counters('lost');
  const swappedBefore = counters('swapped');
  const cpuStart = processUsage(pid).cpuMs;
  const wallStart = performance.now();
  await sleep(seconds * 1000);
  const confirmsReceived = tracks.reduce((sum, t) => sum + t.camera.stats.confirmsReceived, 0) - confirmsBefore;
  // Stop sending, let the last frames (and their resends) arrive, then count.
  for (const t of tracks) t.camera.freeze();
  await sleep(1000);
  const cpuMs = processUsage(pid).cpuMs - cpuStart;
  const wallMs = performance.now() - wallStart;
  const usage = processUsage(pid);
  for (const vs of viewers) for (const v of vs) v.close();
  const framesSent = tracks.reduce((sum, t, i) => sum + t.camera.stats.framesSent - sentAtStart[i]!, 0);
  const allArrived = tracks.reduce((sum, t) => sum + t.onWireInWindow, 0);
  const allArrivedWithinWindow = tracks.reduce((sum, t) => sum + t.onWireWithinReorderWindow, 0);
  const deliveredTotal = viewers.flat().reduce((sum, v) => sum + v.delivered, 0);
  const deliveredPerViewer = deliveredTotal / viewersPerCamera;
  const deliveredFirstViewers = viewers.reduce((sum, vs) => sum + (vs[0]?.delivered ?? 0), 0);
  const latencies = viewers.flat().flatMap((v) => v.latenciesMs);
  if (diagnose) printDiagnosis(network, tracks);
  const result: RunResult = {
    network,
    framesSent,
    framesAllPacketsArrived: allArrived,
    framesAllPacketsArrivedWithinWindow: allArrivedWithinWindow,
    framesDeliveredIntactPerViewer: Number(deliveredPerViewer.toFixed(1)),
    deliveredOfArrivedPercent: Number(((100 * deliveredPerViewer) / allArrived).toFixed(2)),
    deliveredOfArrivedWithinWindowPercent: Number(((100 * deliveredPerViewer) / allArrivedWithinWindow).toFixed(2)),
    deliveredOfSentPercent: Number(((100 * deliveredPerViewer) / framesSent).toFixed(2)),
    corruptParts: viewers.flat().reduce((sum, v) => sum + v.corrupt, 0),
    addedLatencyP50Ms: Number(percentile(latencies, 50).toFixed(2)),
    addedLatencyP99Ms: Number(percentile(latencies, 99).toFixed(2)),
    serverCpuMsPerDeliveredFrame: Number((cpuMs / Math.max(1, deliveredFirstViewers)).toFixed(3)),
    serverCpuPercentAvg: Number(((100 * cpuMs) / wallMs).toFixed(1)),
    serverPeakRss: mb(usage.peakRssBytes),
    datagramsLost: counters('lost') - lostBefore,
    datagramsSwapped: counters('swapped') - swappedBefore,
    packetsResent: tracks.reduce((sum, t) => sum + t.camera.stats.resends.resent, 0) - resentBefore,
    confirmsPerCameraPerSecond: Number((confirmsReceived / cameraCount / seconds).toFixed(1)),
    serverWarnings: server.problems.length,
    serverWarningSamples: [...new Set(server.problems.map((line) => line.replace(/\d+/g, '#').slice(0, 240)))].slice(0, 6),
  };
  stopFleet(fleet);
  await server.stop();
  return result;
}

const config = { cameras: cameraCount, fps, viewersPerCamera, seconds, lossy, resend, separateAudio };
console.log(JSON.stringify(config));
const results: RunResult[] = [
  await run(`loss ${lossy.loss}, swap ${lossy.swap}, delay ${lossy.delay}${resend ? ', resends' : ''}`, lossy, resend),
];
if (withCleanRun) results.push(await run('clean', {}, resend));
for (const result of results) console.log(JSON.stringify(result, null, 2));
const [lossyResult, clean] = results;
if (lossyResult) {
  const pass =
    lossyResult.deliveredOfArrivedPercent >= 99.5 &&
    lossyResult.addedLatencyP99Ms <= 150 &&
    (!clean || lossyResult.serverCpuMsPerDeliveredFrame <= clean.serverCpuMsPerDeliveredFrame * 1.1);
  console.log(pass ? 'targets met' : 'TARGETS MISSED');
}
