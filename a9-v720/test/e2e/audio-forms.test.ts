/**
 * Both audio forms of docs/protocol.md §5 end to end over real sockets: a simulated camera sending
 * cmd 4 A-law or cmd 6 PCM (firmware 202312111512, interleaved with the JPEG fragments) →
 * UDP → server → GET /api/cameras/:id/audio as a WAV whose header matches what the camera sends.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { openMjpeg, taggedFrames } from '../support/media-client.js';
import { createPcmTone } from '../../src/simulator/media-encoder.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

/** Reads the audio endpoint until `bytes` arrived, then aborts. */
async function readAudio(id: string, bytes: number): Promise<{ status: number; type: string | null; body: Buffer }> {
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras/${id}/audio`, { signal: controller.signal });
  const reader = res.body!.getReader();
  let body = Buffer.alloc(0);
  while (body.length < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    body = Buffer.concat([body, Buffer.from(value)]);
  }
  controller.abort();
  return { status: res.status, type: res.headers.get('content-type'), body };
}

test('a PCM camera (cmd 6, firmware 202312111512): /audio is a 16-bit PCM WAV carrying the camera’s samples', async () => {
  const tone = createPcmTone()(8000);
  const id = '0800c0P00001';
  const camera = h.camera(id, { frames: taggedFrames(id), fps: 10, audio: tone, audioFormat: 'pcm16', firmware: '202312111512' });
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'online');
  const { status, type, body } = await readAudio(id, 44 + 8000);
  assert.equal(status, 200);
  assert.equal(type, 'audio/wav');
  assert.equal(body.toString('ascii', 0, 4), 'RIFF');
  assert.equal(body.toString('ascii', 8, 12), 'WAVE');
  assert.equal(body.readUInt16LE(20), 1, 'format tag 1 = PCM');
  assert.equal(body.readUInt16LE(22), 1, 'mono');
  assert.equal(body.readUInt32LE(24), 8000, '8 kHz');
  assert.equal(body.readUInt32LE(28), 16_000, 'byte rate');
  assert.equal(body.readUInt16LE(34), 16, '16 bits per sample');
  assert.equal(body.toString('ascii', 36, 40), 'data');
  // The samples are the camera's tone, in order (the stream may start anywhere in the loop).
  const samples = body.subarray(44, 44 + 4000);
  assert.ok(Buffer.concat([tone, tone]).includes(samples), 'samples are the camera’s PCM tone');
  assert.ok(camera.stats.audioPacketsSent > 0, `the camera sent audio packets, got ${camera.stats.audioPacketsSent}`);
  camera.stop();
});

test('PCM packets between the JPEG fragments do not cost video frames; A-law and PCM cameras side by side', async () => {
  const pcmId = '0800c0P00002';
  const alawId = '0800c0P00003';
  const pcmCamera = h.camera(pcmId, { frames: taggedFrames(pcmId), fps: 20, audio: createPcmTone()(8000), audioFormat: 'pcm16' });
  const alawCamera = h.camera(alawId, { frames: taggedFrames(alawId), fps: 20, audio: Buffer.alloc(8000, 0xd5) });
  await Promise.all([pcmCamera.start(), alawCamera.start()]);
  const viewer = openMjpeg(h.app.ports.web, pcmId);
  const [pcm, alaw] = await Promise.all([readAudio(pcmId, 44 + 1600), readAudio(alawId, 46 + 800)]);
  assert.equal(pcm.body.readUInt16LE(20), 1);
  assert.equal(alaw.body.readUInt16LE(20), 6, 'format tag 6 = A-law');
  assert.deepEqual(alaw.body.subarray(46, 46 + 800), Buffer.alloc(800, 0xd5));
  await waitFor(() => viewer.parts.length >= 20, 'twenty frames while PCM flows');
  viewer.close();
  assert.equal(
    h.log.lines.filter((line) => line.level >= 40 && line['camera'] === pcmId && /dropped|unexpected cmd/.test(line.msg)).length,
    0,
    'no frame drops, no "unexpected cmd 6"',
  );
  pcmCamera.stop();
  alawCamera.stop();
});
