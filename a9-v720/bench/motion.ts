/**
 * Issue benchmark (motion detection): what one analysed frame costs, what a camera with motion
 * detection costs at 5 analysed fps, and how long after a shape enters the picture motion is on.
 *
 * 1. In this process: decode (sharp, 1/8 shrink-on-load to 80×60 grey) and analysis of the
 *    simulator's 640×480 walk clip, CPU ms per frame, each part alone.
 * 2. Against the compiled server as a child process: C simulated cameras streaming the walk clip
 *    at 10 fps, each with one MJPEG viewer so the stream is open in both phases; server CPU for D s
 *    with detection off, then D s with detection on. The difference per camera is the motion cost.
 *    Detection delay: from the simulator sending the first frame with the shape to the API
 *    reporting motion (polled every 20 ms in both phases), once per pass of the clip on every camera.
 * Run: npx tsx bench/motion.ts [--cameras 4] [--seconds 30] [--frames 300]
 * Target: ≤ 2 % of one core per camera at 5 analysed fps.
 */
import http from 'node:http';
import { GreyDecoder, type GreyImage } from '../src/media/motion/grey-image.js';
import { MotionAnalyser } from '../src/media/motion/motion-analyser.js';
import { loopbackAddress } from '../src/simulator/fleet.js';
import { motionClip } from '../src/simulator/motion-scenes.js';
import { SimulatedCamera } from '../src/simulator/simulated-camera.js';
import { CpuMeter, numberArg, percentile, sleep, startServerProcess } from './support.js';

const cameraCount = numberArg('cameras', 4);
const seconds = numberArg('seconds', 30);
const frameCount = numberArg('frames', 300);
const ANALYSED_FPS = 5;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

// --- 1. per frame, in process -----------------------------------------------------------------
const decoder = new GreyDecoder();
const decodeGrey = (jpeg: Buffer): Promise<GreyImage> => decoder.decode(jpeg);
// 1 s still, 2 s walking, 11 s still at 10 fps: longer than the 10 s hold, so every pass is one event.
const clip = await motionClip('walk', { stillBefore: 10, eventFrames: 20, stillAfter: 110 });
const frameBytes = clip.frames.reduce((sum, f) => sum + f.length, 0) / clip.frames.length;
for (let i = 0; i < 20; i++) await decodeGrey(clip.frames[i % clip.frames.length] as Buffer); // warm-up
const decoded: GreyImage[] = [];
let cpuStart = cpuMs();
const wallStart = performance.now();
for (let i = 0; i < frameCount; i++) decoded.push(await decodeGrey(clip.frames[i % clip.frames.length] as Buffer));
const decodeCpuMs = (cpuMs() - cpuStart) / frameCount;
const decodeWallMs = (performance.now() - wallStart) / frameCount;
const analyser = new MotionAnalyser({ sensitivity: 50 });
cpuStart = cpuMs();
for (let round = 0; round < 10; round++)
  for (let i = 0; i < decoded.length; i++) analyser.analyse(decoded[i] as GreyImage, (round * decoded.length + i) * 200);
const analyseCpuMs = (cpuMs() - cpuStart) / (10 * decoded.length);
const perFrameCpuMs = decodeCpuMs + analyseCpuMs;

// --- 2. end to end, server process ------------------------------------------------------------
const server = await startServerProcess();
const web = server.ports.web;
const api = (path: string, init?: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${web}${path}`, init);
const cameras = Array.from(
  { length: cameraCount },
  (_, i) =>
    new SimulatedCamera({
      id: `0800c0A${(i + 1).toString(16).toUpperCase().padStart(5, '0')}`,
      host: '127.0.0.1',
      httpPort: server.ports.http,
      localAddress: loopbackAddress(i),
      heartbeatMs: 5000,
      fps: 10,
      frames: clip.frames,
    }),
);
await Promise.all(cameras.map((camera) => camera.start()));
const walkStarts = new Map<string, number[]>();
for (const camera of cameras) {
  const starts: number[] = [];
  walkStarts.set(camera.id, starts);
  camera.on('frameSent', (_jpeg, index) => {
    if (index % clip.frames.length === clip.eventStart) starts.push(performance.now());
  });
}
const viewers = cameras.map((camera) => {
  let parts = 0;
  const request = http.get({ host: '127.0.0.1', port: web, path: `/api/cameras/${camera.id}/stream` }, (res) => {
    res.on('data', () => parts++);
    res.on('error', () => undefined);
  });
  request.on('error', () => undefined);
  return { close: () => request.destroy(), parts: () => parts };
});
const settle = performance.now() + 15_000;
while (viewers.some((v) => v.parts() === 0) && performance.now() < settle) await sleep(100);

async function measureCpu(durationS: number): Promise<number> {
  const meter = new CpuMeter(server.child.pid as number);
  const samples: number[] = [];
  const end = performance.now() + durationS * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(5000, end - performance.now()));
    samples.push(meter.sample());
  }
  return samples.reduce((a, b) => a + b, 0) / samples.length;
}

type Stats = {
  media: Record<string, { motion?: { framesAnalysed: number; framesSkipped: number; decodeErrors: number; events: number } }>;
};
const motionStats = async (): Promise<Stats['media']> => ((await (await api('/api/stats')).json()) as Stats).media;

// The motion state is polled (every 20 ms, each camera) during both phases, so the polling's own
// cost cancels out of the difference; in the "on" phase it times the detections.
const detections = new Map<string, number[]>();
let polling = true;
const poller = (async () => {
  const was = new Map<string, boolean>();
  while (polling) {
    await Promise.all(
      cameras.map(async (camera) => {
        const state = (await (await api(`/api/cameras/${camera.id}/motion`)).json()) as { detected: boolean };
        if (state.detected && !was.get(camera.id)) {
          const list = detections.get(camera.id) ?? [];
          list.push(performance.now());
          detections.set(camera.id, list);
        }
        was.set(camera.id, state.detected);
      }),
    );
    await sleep(20);
  }
})();

await sleep(2000);
const cpuOff = await measureCpu(seconds);

for (const camera of cameras) {
  await api(`/api/cameras/${camera.id}/motion`, { method: 'PUT', body: JSON.stringify({ enabled: true }) });
}
await sleep(2000); // let the background settle before measuring
const before = await motionStats();
detections.clear();
const cpuOn = await measureCpu(seconds);
polling = false;
await poller;
const after = await motionStats();

const delays: number[] = [];
for (const camera of cameras) {
  const starts = walkStarts.get(camera.id) ?? [];
  for (const detectedAt of detections.get(camera.id) ?? []) {
    const start = starts.filter((at) => at <= detectedAt).at(-1);
    if (start !== undefined) delays.push(detectedAt - start);
  }
}
const analysed = cameras.map((c) => (after[c.id]?.motion?.framesAnalysed ?? 0) - (before[c.id]?.motion?.framesAnalysed ?? 0));
const decodeErrors = cameras.reduce((sum, c) => sum + (after[c.id]?.motion?.decodeErrors ?? 0), 0);

for (const v of viewers) v.close();
for (const camera of cameras) camera.stop();
await server.stop();

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));
console.log(
  JSON.stringify(
    {
      perFrame: {
        frameBytesAvg: Math.round(frameBytes),
        decodeCpuMs: round(decodeCpuMs),
        decodeWallMs: round(decodeWallMs),
        analyseCpuMs: round(analyseCpuMs, 4),
        totalCpuMs: round(perFrameCpuMs),
        cpuPercentOfOneCoreAt5Fps: round((perFrameCpuMs * ANALYSED_FPS) / 10, 2),
      },
      server: {
        cameras: cameraCount,
        secondsPerPhase: seconds,
        cameraFps: 10,
        analysedFpsPerCamera: analysed.map((n) => round(n / seconds, 2)),
        cpuPercentMotionOff: round(cpuOff, 1),
        cpuPercentMotionOn: round(cpuOn, 1),
        motionCpuPercentPerCamera: round((cpuOn - cpuOff) / cameraCount, 2),
        detectionDelayMs: {
          samples: delays.length,
          p50: round(percentile(delays, 50), 0),
          max: round(Math.max(...delays), 0),
          min: round(Math.min(...delays), 0),
        },
        decodeErrors,
        serverWarnings: server.problems.length,
      },
    },
    null,
    2,
  ),
);
