/**
 * Issue 10 benchmark: media over a real home network. C simulated cameras at F fps (~25 KB frames,
 * A-law audio interleaved), each losing L of its datagrams and resending what the server's 605
 * confirms did not list, swapping S of them with a neighbour; V MJPEG viewers per camera; D seconds;
 * one server process (compiled build). Then, unless --clean 0, the same on a clean network.
 *
 * Per run it prints: frames sent; frames whose packets all arrived (the simulator knows: every
 * fragment left the camera at least once, originally or as a resend), at any time and within the
 * server's reorder window (REORDER_WINDOW_MS after the frame's first packet was SENT — the server
 * counts from the first packet that ARRIVES, so this estimate is conservative and the ratio on it
 * can exceed 100 % under load); frames delivered
 * intact per viewer; delivered / all-arrived (both); added latency p50/p99 (last packet of a frame put on the wire →
 * MJPEG part received by the viewer); server CPU per delivered frame (server CPU time / distinct
 * frames delivered, counted on each camera's first viewer); peak RSS.
 *
 * Run: npx tsx bench/media-lossy.ts [--cameras 20] [--fps 10] [--viewers 2] [--seconds 60]
 *        [--loss 0.03] [--swap 0.05] [--delay 0] [--resend 1] [--separate-audio 0] [--clean 1]
 * Targets (issue 10): delivered / all-arrived within the window ≥ 99.5 %, added latency p99 ≤ 150 ms, CPU per
 * delivered frame no worse than on the clean network.
 */
import http from 'node:http';
import { boundaryFromContentType, MjpegPartParser } from '../src/media/mjpeg.js';
import { loadAllFrames } from '../src/simulator/frame-library.js';
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import type { ImpairmentOptions } from '../src/simulator/impairments.js';
import type { SimulatedCamera } from '../src/simulator/simulated-camera.js';
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
}

interface ViewerTrack {
  delivered: number;
  corrupt: number;
  readonly latenciesMs: number[];
  close(): void;
}

/** Counts the parts of frames sent in the measurement window (index ≥ track.firstIndex). */
function openViewer(port: number, track: CameraTrack): ViewerTrack {
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
  readonly serverWarnings: number;
  /** The first few distinct warning lines of the server (drop reasons and the like). */
  readonly serverWarningSamples: string[];
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
  const viewers = tracks.map((track) => Array.from({ length: viewersPerCamera }, () => openViewer(server.ports.web, track)));
  // Let every stream open (handshake) and run a little before measuring.
  const settleDeadline = performance.now() + 20_000;
  while (tracks.some((t) => t.camera.stats.framesSent < 10) && performance.now() < settleDeadline) await sleep(100);
  const sentAtStart = tracks.map((t) => t.camera.stats.framesSent);
  for (const t of tracks) t.firstIndex = t.camera.stats.framesSent;
  const counters = (key: 'lost' | 'swapped') => tracks.reduce((sum, t) => sum + t.camera.stats.impairments[key], 0);
  const resentBefore = tracks.reduce((sum, t) => sum + t.camera.stats.resends.resent, 0);
  const lostBefore = counters('lost');
  const swappedBefore = counters('swapped');
  const cpuStart = processUsage(pid).cpuMs;
  const wallStart = performance.now();
  await sleep(seconds * 1000);
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
    lossyResult.deliveredOfArrivedWithinWindowPercent >= 99.5 &&
    lossyResult.addedLatencyP99Ms <= 150 &&
    (!clean || lossyResult.serverCpuMsPerDeliveredFrame <= clean.serverCpuMsPerDeliveredFrame * 1.1);
  console.log(pass ? 'targets met' : 'TARGETS MISSED');
}
