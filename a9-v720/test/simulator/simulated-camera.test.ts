/**
 * The simulator's misbehaviours over real sockets against the real server: they must really
 * happen on the wire, reproducibly, and the server must cope as docs/protocol.md §2, §5 and §8 say.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { openMjpeg, taggedFrames } from '../support/media-client.js';
import { CAMERA_PROFILES, DEMO_PROFILES, PROFILE_NAMES } from '../../src/simulator/profiles.js';
import { createFleet, stopFleet } from '../../src/simulator/fleet.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

test('a lossy camera resends what the confirms did not list; frames on the wire are counted', async () => {
  const camera = h.camera('0800c0G00001', {
    frames: taggedFrames('0800c0G00001'),
    fps: 20,
    impairments: { loss: 0.1 },
    resend: { graceMs: 20, resendDelayMs: 10, maxResends: 2 },
    seed: 11,
  });
  await camera.start();
  const viewer = openMjpeg(h.app.ports.web, camera.id);
  await waitFor(() => camera.stats.framesSent >= 40, 'forty frames sent');
  viewer.close();
  const { impairments, resends } = camera.stats;
  assert.ok(impairments.lost > 0, 'datagrams were lost');
  assert.ok(resends.resent > 0, `lost packets were resent (${JSON.stringify(resends)})`);
  assert.ok(resends.confirmed > 0, 'confirmed packets are known');
  // A resent packet may be lost again; with two resends at 10 % loss most frames make it out whole.
  assert.ok(
    camera.stats.framesOnWire * 2 > camera.stats.framesSent && camera.stats.framesOnWire <= camera.stats.framesSent,
    `most frames went out whole, no more than were sent (${camera.stats.framesOnWire} on the wire of ${camera.stats.framesSent} sent)`,
  );
  assert.ok(camera.stats.confirmsReceived > 0, 'the server confirmed packets');
  camera.stop();
});

test('a clean camera with resends on never resends: everything it sent was confirmed or still in flight', async () => {
  const camera = h.camera('0800c0G00002', { frames: taggedFrames('0800c0G00002'), fps: 20, resend: true });
  await camera.start();
  const viewer = openMjpeg(h.app.ports.web, camera.id);
  await waitFor(() => viewer.parts.length >= 20, 'twenty frames');
  viewer.close();
  // Before the first complete frame the server confirms nothing; that frame's packets may be resent
  // once the first (empty) confirm shows them missing. After that, nothing.
  const resentBefore = camera.stats.resends.resent;
  const sentBefore = camera.stats.framesSent;
  const datagramsBefore = camera.stats.datagramsSent;
  const viewer2 = openMjpeg(h.app.ports.web, camera.id);
  await waitFor(() => camera.stats.framesSent >= sentBefore + 20, 'twenty more frames');
  viewer2.close();
  // Only a packet the server saw later than 20 ms after it was sent (a very busy machine) is resent.
  const resent = camera.stats.resends.resent - resentBefore;
  assert.ok(resent <= (camera.stats.datagramsSent - datagramsBefore) * 0.05, `resent ${resent} on a clean network`);
  assert.equal(camera.stats.framesOnWire, camera.stats.framesSent, 'clean network: every frame fully on the wire');
  camera.stop();
});

test('first boot: registerDevices and confirm, then the camera registers with the id it was given (docs/protocol.md §2, §8)', async () => {
  const camera = h.camera('0800c0G00005', { bootstrapFlow: 'first-boot' });
  await camera.start();
  assert.notEqual(camera.id, '0800c0G00005', 'the camera adopted the handed-out id');
  assert.match(camera.id, /^0800c0[0-9A-F]{6}$/);
  await waitFor(() => h.app.registry.get(camera.id)?.online === true, 'online under the new id');
  assert.ok(h.log.find(new RegExp(`registered as new device ${camera.id}`)), 'registerDevices logged with the id');
  assert.ok(h.log.about(camera.id, /^confirmed its device id \(from 127\.0\.0\.1\)$/), 'confirm logged');
  assert.equal(h.app.registry.get('0800c0G00005'), undefined, 'the factory id never shows up as a camera');
  camera.stop();
});

test('getDevInfo-only firmware: counted as seen (mqtt-only), no TCP session, one clear warn line for its calls', async () => {
  const camera = h.camera('56000b00G006', { bootstrapFlow: 'mqtt-only', firmware: '202411152039' });
  await camera.start();
  assert.equal(camera.isConnected, false);
  assert.equal(h.app.registry.get('56000b00G006')?.state, 'mqtt-only');
  assert.equal(h.app.registry.get('56000b00G006')?.online, false);
  assert.equal(h.app.sessions.get('56000b00G006'), undefined);
  const lines = h.log.lines.filter(
    (line) => line.level >= 40 && line['camera'] === '56000b00G006' && /firmware 202411152039.*MQTT-only/.test(line.msg),
  );
  assert.equal(lines.length, 1, 'three getDevInfo calls, one warn line');
  camera.stop();
});

test('a camera that leaves requests unanswered stays online; the unanswered command times out with a reason', async () => {
  const camera = h.camera('0800c0G00007', { skipAnswers: 1 });
  await camera.start();
  await waitFor(() => h.app.registry.get(camera.id)?.online === true, 'online');
  await assert.rejects(h.app.sessions.sendSetting(camera.id, { code: 210, instLed: 0 }), /0800c0G00007/);
  assert.ok(camera.stats.answersSkipped > 0, 'the camera really skipped its answers');
  assert.ok(
    camera.commands.some((c) => c.code === 4),
    'the base-info request arrived and went unanswered',
  );
  const acks = camera.stats.heartbeatAcks;
  await waitFor(() => camera.stats.heartbeatAcks > acks, 'heartbeats still answered');
  assert.equal(h.app.registry.get(camera.id)?.online, true);
  camera.stop();
});

test('every profile is described; the demo mixes an ideal, a lossy resending and a PCM camera', () => {
  for (const name of PROFILE_NAMES) assert.ok(CAMERA_PROFILES[name].description.length > 10, name);
  const fleet = createFleet({ count: 4, host: '127.0.0.1', httpPort: 1, profiles: DEMO_PROFILES });
  assert.ok(
    DEMO_PROFILES.includes('lossy-home-wifi') && DEMO_PROFILES.includes('pcm-202312111512') && DEMO_PROFILES.includes('ideal'),
    `the demo has lossy-home-wifi, pcm-202312111512 and ideal, got ${DEMO_PROFILES.join(', ')}`,
  );
  stopFleet(fleet);
});
