/**
 * Issue 11 hijack, measured: one simulated camera at 10 fps with an MJPEG viewer against a
 * server process, then an attacker on other loopback hosts:
 *  1. --takeovers TCP registrations of the camera's id from 127.0.0.7 (its own bootstrap first);
 *  2. --seconds of spoofed UDP at --rate datagrams/s: 51 probes naming the camera, each followed
 *     by a whole fake JPEG frame, from another host (127.0.0.8) and from the camera's own IP on
 *     another port.
 * Prints registrations answered, whether the camera stayed online and connected, the viewer's
 * frame rate before and during the flood, attacker frames that reached the viewer, 605 confirms
 * sent to the attacker, the server's UDP counters, its extra CPU per spoofed datagram, peak RSS
 * and its warn lines. Loopback only.
 * Run: npx tsx bench/hijack.ts [--takeovers 20] [--seconds 10] [--rate 5000]
 */
import { SimulatedCamera } from '../src/simulator/simulated-camera.js';
import { attackerRegister, udpAttacker } from '../test/support/attacker.js';
import { isOrderedSubsequence, openMjpeg, taggedFrames } from '../test/support/media-client.js';
import { mb, numberArg, processUsage, sleep, startServerProcess } from './support.js';

const takeovers = numberArg('takeovers', 20);
const seconds = numberArg('seconds', 10);
const rate = numberArg('rate', 5000);
const CAMERA_ID = '0800c0J00001';

const server = await startServerProcess();
const pid = server.child.pid as number;
const camera = new SimulatedCamera({
  id: CAMERA_ID,
  host: '127.0.0.1',
  httpPort: server.ports.http,
  fps: 10,
  heartbeatMs: 5000,
  frames: taggedFrames(CAMERA_ID),
});
const sent: Buffer[] = [];
camera.on('frameSent', (jpeg: Buffer) => sent.push(jpeg));
await camera.start();
const viewer = openMjpeg(server.ports.web, CAMERA_ID);

const cameraState = async (): Promise<{ online: boolean; ip: string }> => {
  const { online, ip } = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/cameras/${CAMERA_ID}`)).json()) as {
    online: boolean;
    ip: string;
  };
  return { online, ip };
};
const udpStats = async (): Promise<Record<string, number>> =>
  ((await (await fetch(`http://127.0.0.1:${server.ports.web}/api/stats`)).json()) as { udp: Record<string, number> }).udp;

/** Viewer frames per second over `ms`, and the server's CPU time in that window. */
async function window(ms: number, during: () => Promise<number> = async () => (await sleep(ms), 0)) {
  const parts = viewer.parts.length;
  const cpu = processUsage(pid).cpuMs;
  const started = performance.now();
  const datagrams = await during();
  const elapsed = performance.now() - started;
  return { fps: ((viewer.parts.length - parts) * 1000) / elapsed, cpuMs: processUsage(pid).cpuMs - cpu, elapsed, datagrams };
}

const settle = performance.now() + 15_000;
while (viewer.parts.length < 10 && performance.now() < settle) await sleep(100);
const baseline = await window(3000);

let answered = 0;
for (let i = 0; i < takeovers; i++) if ((await attackerRegister(server.ports, CAMERA_ID, '127.0.0.7')).answered) answered++;
const afterTakeovers = await cameraState();

const attackers = await Promise.all(['127.0.0.8', '127.0.0.1'].map(udpAttacker));
const evil = taggedFrames('EVIL')[0]!;
const udpBefore = await udpStats();
const flood = await window(seconds * 1000, async () => {
  const end = performance.now() + seconds * 1000;
  let datagrams = 0;
  let round = 0;
  // Bursts every 10 ms, alternating attackers and pkg_id ranges (low, near a camera's, huge).
  while (performance.now() < end) {
    const due = ((performance.now() - (end - seconds * 1000)) * rate) / 1000;
    while (datagrams < due) {
      const pkgId = [1, 2_800 + round * 40, 1_000_000 + round * 40][round % 3]!;
      datagrams += attackers[round % 2]!.spoof(server.ports.tcp, CAMERA_ID, evil, pkgId);
      round++;
    }
    await sleep(10);
  }
  return datagrams;
});
const udpAfter = await udpStats();
const afterFlood = await cameraState();
for (const attacker of attackers) attacker.close();
viewer.close();
const peakRss = processUsage(pid).peakRssBytes;
const stillConnected = camera.isConnected;
camera.stop();
await server.stop();

const extraCpuMs = flood.cpuMs - (baseline.cpuMs * flood.elapsed) / baseline.elapsed;
const delta = (key: string): number => (udpAfter[key] ?? 0) - (udpBefore[key] ?? 0);
const result = {
  takeoverAttempts: takeovers,
  takeoverRegistrationsAnswered: answered,
  cameraAfterTakeovers: afterTakeovers,
  cameraConnectionNeverClosed: stillConnected && camera.stats.registrations === 1,
  cameraAfterFlood: afterFlood,
  viewerFpsBefore: Number(baseline.fps.toFixed(1)),
  viewerFpsDuringFlood: Number(flood.fps.toFixed(1)),
  spoofedDatagramsSent: flood.datagrams,
  spoofedDatagramsPerSecond: Math.round((flood.datagrams * 1000) / flood.elapsed),
  serverUdp: {
    datagrams: delta('datagrams'),
    rejected: delta('rejected'),
    unboundMedia: delta('unboundMedia'),
    refusedProbes: delta('refusedProbes'),
  },
  attackerFramesAtViewer: viewer.parts.filter((part) => part.includes(Buffer.from('EVIL'))).length,
  viewerFramesAllRealInOrder: isOrderedSubsequence(viewer.parts, sent),
  confirmsToAttacker: attackers.reduce((sum, attacker) => sum + attacker.confirmsReceived.length, 0),
  serverExtraCpuMsPerSpoofedDatagram: Number((extraCpuMs / Math.max(1, flood.datagrams)).toFixed(4)),
  serverCpuPercentDuringFlood: Number(((100 * flood.cpuMs) / flood.elapsed).toFixed(1)),
  serverPeakRss: mb(peakRss),
  serverWarnLines: server.problems.length,
};
console.log(JSON.stringify(result, null, 2));
const held =
  answered === 0 &&
  result.cameraConnectionNeverClosed &&
  afterFlood.online &&
  afterFlood.ip === '127.0.0.1' &&
  result.attackerFramesAtViewer === 0 &&
  result.viewerFramesAllRealInOrder &&
  result.confirmsToAttacker === 0;
console.log(held ? 'the camera held' : 'HIJACK GOT THROUGH');
if (server.problems.length) console.log(server.problems.slice(0, 5).join('\n'));
