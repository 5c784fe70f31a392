import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { getBytes, isOrderedSubsequence, openMjpeg, taggedFrames } from '../support/media-client.js';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { createAlawTone } from '../../src/simulator/media-encoder.js';
import { seededRandom } from '../../src/simulator/seeded-random.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

async function streamingCamera(
  id: string,
  options: Parameters<Harness['camera']>[1] = {},
): Promise<{ camera: SimulatedCamera; sent: Buffer[] }> {
  const camera = h.camera(id, { frames: taggedFrames(id), fps: 20, ...options });
  const sent: Buffer[] = [];
  camera.on('frameSent', (jpeg) => sent.push(jpeg));
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online`);
  return { camera, sent };
}

const opens = (camera: SimulatedCamera) => camera.commands.filter((c) => c.code === 3).length;
const closes = (camera: SimulatedCamera) => camera.commands.filter((c) => c.code === 0).length;

test('a snapshot of an idle camera opens the stream and returns a frame the camera sent, byte for byte', async () => {
  const { camera, sent } = await streamingCamera('0800c0E00001');
  const snap = await getBytes(h.app.ports.web, '/api/cameras/0800c0E00001/snapshot');
  assert.equal(snap.status, 200);
  assert.equal(snap.type, 'image/jpeg');
  assert.ok(
    sent.some((frame) => frame.equals(snap.body)),
    'snapshot equals a sent frame',
  );
  assert.equal(opens(camera), 1);
  // After the linger the stream closes (301/0) and the camera stops sending.
  await waitFor(() => closes(camera) === 1 && !camera.isStreaming, 'stream closed after the last consumer');
  assert.notEqual(h.app.registry.get('0800c0E00001')?.state, 'streaming');
  assert.ok(camera.stats.confirmsReceived > 0, 'the camera got 605 retransmission confirms');
  camera.stop();
});

test('two MJPEG viewers and a snapshot share one camera stream; parts equal sent frames in order', async () => {
  const { camera, sent } = await streamingCamera('0800c0E00002');
  const a = openMjpeg(h.app.ports.web, '0800c0E00002');
  const b = openMjpeg(h.app.ports.web, '0800c0E00002');
  assert.equal(await a.status, 200);
  await waitFor(() => a.parts.length >= 10 && b.parts.length >= 10, 'ten parts per viewer');
  const snap = await getBytes(h.app.ports.web, '/api/cameras/0800c0E00002/snapshot');
  assert.equal(snap.status, 200);
  assert.ok(
    sent.some((frame) => frame.equals(snap.body)),
    'the snapshot is one of the sent frames',
  );
  assert.equal(opens(camera), 1, 'one 301/3 for all consumers');
  assert.equal(h.app.registry.get('0800c0E00002')?.state, 'streaming');
  for (const viewer of [a, b]) assert.ok(isOrderedSubsequence(viewer.parts, sent), 'parts are sent frames, in order');
  a.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(closes(camera), 0, 'still one viewer: stream stays open');
  b.close();
  await waitFor(() => closes(camera) === 1, 'stream closed after the last viewer');
  camera.stop();
});

test('lost and reordered fragments drop only the damaged frames; every delivered frame is intact', async () => {
  const { camera, sent } = await streamingCamera('0800c0E00003', { packetLoss: 0.02, reorder: 0.01, random: seededRandom(7) });
  const viewer = openMjpeg(h.app.ports.web, '0800c0E00003');
  await waitFor(() => viewer.parts.length >= 20, 'twenty intact frames');
  viewer.close();
  assert.ok(isOrderedSubsequence(viewer.parts, sent), 'parts are sent frames, in order');
  const stats = h.app.sessions.mediaStats().get('0800c0E00003');
  assert.ok(stats && stats.reassembly.framesDropped > 0, 'some frames were dropped');
  assert.ok(h.log.about('0800c0E00003', /^dropped an incomplete video frame/), 'a log line names the camera and the dropped frame');
  camera.stop();
});

test('garbage datagrams on the UDP port are ignored while a camera streams', async () => {
  const { camera, sent } = await streamingCamera('0800c0E00004');
  const viewer = openMjpeg(h.app.ports.web, '0800c0E00004');
  await waitFor(() => viewer.parts.length >= 3, 'streaming');
  const junk = dgram.createSocket('udp4');
  const payloads = [
    Buffer.from('hello'),
    Buffer.from('ffffffff0100fa000000000000000000000000000102', 'hex'),
    Buffer.concat([Buffer.from('0c000000000000000000000000000000000000007b22636f6465223a'), Buffer.from('')]),
    Buffer.from('ec0300000100fb000000000000000000f30a0000', 'hex'),
  ];
  for (const payload of payloads) junk.send(payload, h.app.ports.tcp, '127.0.0.1');
  const before = viewer.parts.length;
  await waitFor(() => viewer.parts.length >= before + 10, 'stream goes on');
  junk.close();
  assert.ok(h.log.find(/ignored UDP datagram from 127\.0\.0\.1:\d+/), 'a log line names the sender of the ignored datagram');
  assert.ok(isOrderedSubsequence(viewer.parts, sent), 'parts are sent frames, in order');
  viewer.close();
  camera.stop();
});

test('a camera going offline mid-stream ends its viewers cleanly with the closing boundary', async () => {
  const { camera } = await streamingCamera('0800c0E00005', { reconnect: false });
  const viewer = openMjpeg(h.app.ports.web, '0800c0E00005');
  await waitFor(() => viewer.parts.length >= 3, 'streaming');
  camera.crash();
  const end = await viewer.ended;
  assert.equal(end.closingBoundary, true);
  assert.equal((await getBytes(h.app.ports.web, '/api/cameras/0800c0E00005/snapshot')).status, 503);
});

test('three cameras stream at once; each viewer gets only its own camera’s frames', async () => {
  const cams = await Promise.all(['0800c0E00006', '0800c0E00007', '0800c0E00008'].map((id) => streamingCamera(id)));
  const viewers = cams.map(({ camera }) => openMjpeg(h.app.ports.web, camera.id));
  await waitFor(() => viewers.every((v) => v.parts.length >= 15), 'fifteen frames on every viewer');
  cams.forEach(({ sent }, i) => assert.ok(isOrderedSubsequence(viewers[i]!.parts, sent), `viewer ${i} saw only its camera`));
  for (const v of viewers) v.close();
  for (const { camera } of cams) camera.stop();
});

test('audio endpoint: an A-law WAV header, then the camera’s samples', async () => {
  const tone = createAlawTone()(8000);
  const { camera } = await streamingCamera('0800c0E00009', { audio: tone });
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras/0800c0E00009/audio`, { signal: controller.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'audio/wav');
  const reader = res.body!.getReader();
  let bytes = Buffer.alloc(0);
  while (bytes.length < 46 + 4000) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes = Buffer.concat([bytes, Buffer.from(value)]);
  }
  controller.abort();
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE');
  assert.equal(bytes.readUInt16LE(20), 6, 'format tag 6 = A-law');
  assert.equal(bytes.readUInt32LE(24), 8000);
  const samples = bytes.subarray(46, 46 + 800);
  assert.ok(Buffer.concat([tone, tone]).includes(samples), 'samples are the camera’s tone');
  camera.stop();
});

test('snapshot errors: 404 unknown, 503 offline, 504 with a reason when no frame arrives', async () => {
  assert.equal((await getBytes(h.app.ports.web, '/api/cameras/nobody/snapshot')).status, 404);
  const silent = h.camera('0800c0E0000A', { frames: [] });
  await silent.start();
  await waitFor(() => h.app.registry.get('0800c0E0000A')?.online === true, 'online');
  const res = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras/0800c0E0000A/snapshot`);
  assert.equal(res.status, 504);
  const body = (await res.json()) as { error: string; reason: string };
  assert.match(body.error, /0800c0E0000A/);
  assert.equal(body.reason, 'no complete frame arrived in time');
  silent.stop();
});

test('the watchdog re-runs the whole handshake when media stops while viewers wait', async () => {
  const { camera, sent } = await streamingCamera('0800c0E0000B');
  const viewer = openMjpeg(h.app.ports.web, '0800c0E0000B');
  await waitFor(() => viewer.parts.length >= 3, 'streaming');
  camera.loseMediaPath();
  const partsBefore = viewer.parts.length;
  // Watchdog (3 s in the harness): 301/0, a fresh NAT request + probe + base info, then 301/3.
  await waitFor(() => opens(camera) >= 2 && camera.commands.filter((c) => c.code === 4).length >= 2, 'handshake re-run', 20_000);
  await waitFor(() => viewer.parts.length >= partsBefore + 5, 'frames flow again', 20_000);
  assert.ok(isOrderedSubsequence(viewer.parts, sent), 'parts are sent frames, in order');
  assert.ok(h.log.about('0800c0E0000B', /^no media for .*restarting the stream/), 'a log line says the watchdog restarts the stream');
  viewer.close();
  camera.stop();
});

test('opening and closing a real camera stream is one state event each (streaming, then command)', async () => {
  const id = '0800c0E0000C';
  const { camera } = await streamingCamera(id);
  await waitFor(() => h.app.registry.get(id)?.state === 'command' && h.app.registry.get(id)?.baseInfo !== undefined, 'base info fetched');
  const updates: string[] = [];
  const unsubscribe = h.app.registry.on('state', (c) => {
    if (c.id === id) updates.push(c.state);
  });
  await h.app.sessions.openStream(id);
  await waitFor(() => camera.isStreaming, 'camera sending');
  assert.deepEqual(updates, ['streaming'], 'one update when the stream starts');
  await h.app.sessions.closeStream(id);
  await waitFor(() => !camera.isStreaming, 'camera stopped sending');
  assert.deepEqual(updates, ['streaming', 'command'], 'one update when it stops');
  unsubscribe();
  camera.stop();
});
