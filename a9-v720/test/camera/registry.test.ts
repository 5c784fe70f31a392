import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CAMERA_CHANGE_EVENTS, CameraRegistry, compareIp } from '../../src/camera/registry.js';
import { startHarness, waitFor } from '../support/app-harness.js';

test('IPs sort numerically, not as text', () => {
  const ips = ['192.168.1.10', '192.168.1.9', '10.0.0.200', '::ffff:10.0.0.3', 'weird', '192.168.1.100'];
  assert.deepEqual([...ips].sort(compareIp), ['::ffff:10.0.0.3', '10.0.0.200', '192.168.1.9', '192.168.1.10', '192.168.1.100', 'weird']);
});

test('registry events: one event per kind of change, each with the new record (and what it was, for state and name)', () => {
  let now = 1000;
  const registry = new CameraRegistry(() => now);
  const events: string[] = [];
  registry.on('online', (c) => events.push(`online:${c.id}:${c.state}`));
  registry.on('offline', (c, reason) => events.push(`offline:${c.id}:${reason}:${c.state}`));
  registry.on('state', (c, previous) => events.push(`state:${c.id}:${previous ?? 'new'}→${c.state}`));
  registry.on('settings', (c) => events.push(`settings:${c.id}:${c.firmware}:${c.baseInfo?.IrLed}`));
  registry.on('name', (c, previous) => events.push(`name:${c.id}:${previous ?? '-'}→${c.name ?? '-'}`));
  registry.on('motion-settings', (c) => events.push(`motion-settings:${c.id}:${c.motion?.enabled}`));
  registry.on('motion', (c) => events.push(`motion:${c.id}:${c.motionDetected}`));
  registry.on('removed', (id, c) => events.push(`removed:${id}:${c.id}`));
  registry.noteBootstrap('A', '10.0.0.2', '202212011602');
  registry.noteBootstrap('A', '10.0.0.2', undefined);
  registry.markOnline('A', '10.0.0.2', true);
  registry.setState('A', 'command');
  registry.setState('A', 'command');
  registry.mergeBaseInfo('A', { version: '202312111512', IrLed: 1 });
  registry.rename('A', 'Garden');
  registry.rename('A', 'Garden');
  registry.rename('A', undefined);
  registry.changeMotionSettings('A', { enabled: true });
  registry.setMotionDetected('A', true, 1500);
  now = 2000;
  registry.touch('A');
  registry.markOffline('A', 'closed');
  registry.markOffline('A', 'again');
  registry.noteMqttOnly('B', '10.0.0.3');
  registry.remove('A');
  assert.deepEqual(events, [
    'state:A:new→bootstrapped',
    'state:A:bootstrapped→bootstrapped',
    'online:A:registered',
    'state:A:registered→command',
    'settings:A:202312111512:1',
    'name:A:-→Garden',
    'name:A:Garden→-',
    'motion-settings:A:true',
    'motion:A:true',
    'offline:A:closed:offline',
    'state:B:new→mqtt-only',
    'removed:A:A',
  ]);
  assert.equal(registry.get('B')?.lastSeen, 2000, 'touch: no event, but seen');
});

test('registry on() returns its unsubscribe; onEach ends all of its events with one call', () => {
  const registry = new CameraRegistry(() => 1000);
  const events: string[] = [];
  const unsubscribe = registry.on('online', (c) => events.push(`online:${c.id}`));
  const unsubscribeEach = registry.onEach([...CAMERA_CHANGE_EVENTS, 'removed'], () => events.push('any'));
  registry.markOnline('A', '10.0.0.2', true);
  unsubscribe();
  unsubscribeEach();
  registry.setState('A', 'command');
  registry.markOffline('A', 'closed');
  registry.markOnline('A', '10.0.0.2', true);
  registry.remove('A');
  assert.deepEqual(events, ['online:A', 'any']);
  for (const event of [...CAMERA_CHANGE_EVENTS, 'removed', 'full'] as const) assert.equal(registry.listenerCount(event), 0, event);
});

test('streaming is a protocol state: entering and leaving it is one update each, and going offline ends it', () => {
  const registry = new CameraRegistry(() => 1000);
  registry.markOnline('A', '10.0.0.2', true);
  registry.setState('A', 'command');
  const updates: string[] = [];
  registry.on('state', (c) => updates.push(c.state));
  registry.setState('A', 'streaming');
  assert.deepEqual(updates, ['streaming']);
  registry.setState('A', 'command');
  assert.deepEqual(updates, ['streaming', 'command']);
  registry.setState('A', 'streaming');
  registry.markOffline('A', 'closed');
  assert.equal(registry.get('A')?.state, 'offline');
  assert.equal('streaming' in (registry.get('A') ?? {}), false, 'no separate streaming flag');
});

test('known cameras survive a restart (offline until they reconnect); a corrupted file is set aside', async () => {
  const h = await startHarness();
  const camera = h.camera('0800c0B00001');
  await camera.start();
  await waitFor(() => h.app.registry.get('0800c0B00001')?.online === true, 'online');
  await h.app.sessions.get('0800c0B00001')?.ensureCommandMode();
  camera.stop();
  await h.restart();
  const restored = h.app.registry.get('0800c0B00001');
  assert.equal(restored?.online, false);
  assert.equal(restored?.state, 'offline');
  assert.equal(restored?.firmware, '202212011602');
  assert.equal(restored?.baseInfo?.wifiName, 'demo-wifi');
  // The same pwd after a restart: the token still matches.
  const again = h.camera('0800c0B00001');
  await again.start();
  await waitFor(() => h.app.registry.get('0800c0B00001')?.online === true, 'online again');
  assert.equal(h.app.registry.get('0800c0B00001')?.tokenOk, true);
  again.stop();
  await h.app.stop();

  writeFileSync(path.join(h.dataDir, 'cameras.json'), '{"version":1,"cameras":[{"id":"half-writ');
  await h.restart();
  assert.equal(h.app.registry.size, 0);
  assert.ok(h.log.find(/cameras\.json is not valid JSON.*moved it to/), 'clear warning');
  assert.ok(
    readdirSync(h.dataDir).some((name) => name.startsWith('cameras.json.corrupt-')),
    'bad file kept for diagnosis',
  );
  // The server still works after starting from a bad file.
  const third = h.camera('0800c0B00002');
  await third.start();
  await waitFor(() => h.app.registry.get('0800c0B00002')?.online === true, 'new camera online');
  await h.stop();
});

test('a saved name the API would refuse is dropped with one warning; the camera and good names load', async () => {
  const h = await startHarness();
  await h.app.stop();
  const cameras = [
    { id: '0800c0B00010', ip: '127.0.0.10', name: 'Front door' },
    { id: '0800c0B00011', ip: '127.0.0.11', name: 'line one\nfake log line' },
    { id: '0800c0B00012', ip: '127.0.0.12', name: 12 },
  ];
  writeFileSync(path.join(h.dataDir, 'cameras.json'), JSON.stringify({ version: 1, cameras }));
  await h.restart();
  assert.equal(h.app.registry.size, 3);
  assert.equal(h.app.registry.get('0800c0B00010')?.name, 'Front door');
  assert.equal(h.app.registry.get('0800c0B00011')?.name, undefined);
  assert.equal(h.app.registry.get('0800c0B00012')?.name, undefined);
  assert.ok(h.log.about('0800c0B00011', /ignoring its saved name .*control characters/), 'the name with control characters is logged');
  assert.ok(h.log.about('0800c0B00012', /ignoring its saved name .*must be a string/), 'the name that is no string is logged');
  await h.stop();
});
