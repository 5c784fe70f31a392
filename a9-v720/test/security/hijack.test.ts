/**
 * Hijack attempts against a live simulated camera (issue 11, high 1 and 2): another host on the
 * LAN (played from 127.0.0.x) registers the camera's id over TCP, or sends UDP probes naming it
 * and then its own frames. The real camera must stay online and keep its viewers; no attacker
 * frame may reach a viewer and no confirm may go to the attacker.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { attackerRegister, udpAttacker } from '../support/attacker.js';
import { isOrderedSubsequence, openMjpeg, taggedFrames } from '../support/media-client.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

async function liveCamera(id: string): Promise<{ camera: SimulatedCamera; sent: Buffer[] }> {
  const camera = h.camera(id, { frames: taggedFrames(id), fps: 15, heartbeatMs: 500 });
  const sent: Buffer[] = [];
  camera.on('frameSent', (jpeg) => sent.push(jpeg));
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online`);
  return { camera, sent };
}

test("TCP takeover: a registration of a live camera's id from another address is refused; the camera and its viewer stay", async () => {
  const id = '0800c0H00001';
  const { camera, sent } = await liveCamera(id);
  const viewer = openMjpeg(h.app.ports.web, id);
  await waitFor(() => viewer.parts.length >= 5, 'the viewer gets frames');
  for (let i = 0; i < 5; i++) {
    const result = await attackerRegister(h.app.ports, id, '127.0.0.7');
    assert.equal(result.answered, false, `attempt ${i + 1}: no registration answer for the attacker`);
  }
  const record = h.app.registry.get(id);
  assert.equal(record?.online, true, 'the real camera stays online');
  assert.equal(record?.ip, '127.0.0.1', 'the registry keeps the real address');
  assert.equal(camera.isConnected, true, 'the real connection was never closed');
  const before = viewer.parts.length;
  await waitFor(() => viewer.parts.length >= before + 5, 'frames keep flowing to the viewer');
  assert.ok(isOrderedSubsequence(viewer.parts, sent), "every frame the viewer got is the real camera's");
  assert.ok(
    h.log.about('0800c0H00001', /refused a registration from 127\.0\.0\.7:\d+: this camera is connected from 127\.0\.0\.1/),
    'a log line names the camera, the attacker and the real address',
  );
  viewer.close();
  camera.stop();
});

test('a camera rebooting on its own address reconnects at once; a camera gone from one address may come back from another (a move)', async () => {
  const id = '0800c0H00002';
  const first = h.camera(id, { heartbeatMs: 500, reconnect: false });
  await first.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'online');
  // Same address, old connection still open (the camera rebooted faster than TCP noticed).
  const rebooted = h.camera(id, { heartbeatMs: 500, reconnect: false });
  await rebooted.start();
  await waitFor(() => !first.isConnected, 'the old connection was replaced');
  assert.equal(rebooted.isConnected, true);
  assert.equal(h.app.registry.get(id)?.online, true);
  // Gone from 127.0.0.1, back from 127.0.0.21 (DHCP gave it a new address).
  rebooted.stop();
  await waitFor(() => h.app.registry.get(id)?.online === false, 'offline after the close');
  const moved = h.camera(id, { heartbeatMs: 500, localAddress: '127.0.0.21' });
  await moved.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'online again');
  assert.equal(h.app.registry.get(id)?.ip, '127.0.0.21');
  assert.ok(h.log.about('0800c0H00002', /^moved from 127\.0\.0\.1 to 127\.0\.0\.21/), 'logged as a move');
  moved.stop();
});

test('UDP probe spoof: probes naming a live camera from other addresses, or outside a handshake, bind nothing; attacker frames never reach the viewer', async () => {
  const id = '0800c0H00003';
  const { camera, sent } = await liveCamera(id);
  const viewer = openMjpeg(h.app.ports.web, id);
  await waitFor(() => viewer.parts.length >= 5, 'the viewer gets frames');
  const refusedBefore = h.app.mediaChannel.stats.refusedProbes;

  // Two attackers: another host, and a socket on the camera's own IP (any port) outside a handshake.
  const attackers = await Promise.all(['127.0.0.8', '127.0.0.1'].map(udpAttacker));
  const evil = taggedFrames('EVIL')[0]!;
  for (let round = 0; round < 20; round++) {
    // Any pkg_ids: low, high, and around where a camera's counter might be.
    const pkgId = [1, 2_800 + round * 40, 1_000_000 + round * 40][round % 3]!;
    for (const attacker of attackers) attacker.spoof(h.app.ports.tcp, id, evil, pkgId);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const before = viewer.parts.length;
  await waitFor(() => viewer.parts.length >= before + 5, 'real frames keep flowing');
  for (const attacker of attackers) attacker.close();

  assert.ok(h.app.mediaChannel.stats.refusedProbes - refusedBefore >= 40, 'every spoofed probe was counted and refused');
  assert.equal(viewer.parts.filter((part) => part.includes(Buffer.from('EVIL'))).length, 0, 'no attacker frame reached the viewer');
  assert.ok(isOrderedSubsequence(viewer.parts, sent), "the viewer got only the real camera's frames, in order");
  assert.deepEqual(
    attackers.flatMap((attacker) => attacker.confirmsReceived),
    [],
    'no 605 confirm went to an attacker',
  );
  assert.equal(h.app.registry.get(id)?.online, true);
  assert.ok(
    h.log.find(/probe \(51\) for 0800c0H00003 (from an address other than its TCP session's|while no handshake was waiting)/),
    'a log line names the camera and the refused probe',
  );
  viewer.close();
  camera.stop();
});
