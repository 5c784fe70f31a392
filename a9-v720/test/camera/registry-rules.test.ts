/**
 * The registry's rules one by one, with a clock we set: exact records and exact event logs, no
 * harness and no sockets (the behaviour tests in registry.test.ts cover the wiring).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MOTION_SETTINGS } from '../../src/camera/motion-settings.js';
import {
  CAMERA_CHANGE_EVENTS,
  CameraRegistry,
  compareIp,
  DEFAULT_MAX_CAMERAS,
  isStreaming,
  motionSettingsOf,
  type CameraRecord,
  type RegistryEvent,
} from '../../src/camera/registry.js';
import { toBaseInfo, type BaseInfo } from '../../src/protocol/messages.js';

const ALL_EVENTS: readonly RegistryEvent[] = [...CAMERA_CHANGE_EVENTS, 'removed', 'full'];

/** A registry with a clock the test sets, and a log of every event with its arguments. */
function fixture(maxCameras = 8): { registry: CameraRegistry; clock: { now: number }; events: unknown[][] } {
  const clock = { now: 1000 };
  const registry = new CameraRegistry(() => clock.now, maxCameras);
  const events: unknown[][] = [];
  for (const event of ALL_EVENTS) registry.on(event, (...args: unknown[]) => events.push([event, ...args]));
  return { registry, clock, events };
}

/** A camera proven to be one: registered over TCP and answered base info. */
function proven(registry: CameraRegistry, id: string, ip: string): void {
  registry.markOnline(id, ip, true);
  registry.mergeBaseInfo(id, { IrLed: 0 });
}

function record(fields: Partial<CameraRecord> & Pick<CameraRecord, 'id'>): CameraRecord {
  return { ip: '10.0.0.1', online: false, firstSeen: 100, lastSeen: 100, state: 'offline', registered: true, ...fields };
}

// ---- compareIp -------------------------------------------------------------------------

test('compareIp: IPv4 by number, the difference of the first octet that differs, each of the four', () => {
  assert.equal(compareIp('10.0.0.9', '10.0.0.10'), -1);
  assert.equal(compareIp('10.0.0.10', '10.0.0.9'), 1);
  assert.equal(compareIp('10.0.0.1', '10.0.0.200'), -199);
  assert.equal(compareIp('10.0.3.1', '10.0.1.200'), 2);
  assert.equal(compareIp('10.1.0.9', '10.4.0.1'), -3);
  assert.equal(compareIp('192.0.0.1', '10.9.9.9'), 182);
  assert.equal(compareIp('1.2.3.4', '1.2.3.4'), 0);
  assert.equal(compareIp('::ffff:10.0.0.2', '10.0.0.10'), -8);
  assert.equal(compareIp('::ffff:10.0.0.2', '10.0.0.2'), 0);
  assert.equal(compareIp('10.0.0.2', '::ffff:10.0.0.1'), 1);
});

test('compareIp: octets 0 and 255 are IPv4; 256, -1, a fraction, Infinity, a letter or 3/5 parts are not and sort after', () => {
  for (const ip of ['0.0.0.0', '255.255.255.255', '10.0.0.0', '10.0.0.255']) {
    // '#' sorts before digits as text: only the IPv4 rule puts these first.
    assert.equal(compareIp(ip, '#host'), -1, ip);
    assert.equal(compareIp('#host', ip), 1, ip);
    assert.equal(compareIp(ip, ip), 0, ip);
  }
  assert.equal(compareIp('0.0.0.0', '0.0.0.1'), -1);
  assert.equal(compareIp('10.0.0.255', '10.0.0.254'), 1);
  for (const bad of [
    '10.0.0.256',
    '256.0.0.1',
    '10.0.0.-1',
    '-1.0.0.0',
    '10.0.0.1e-1',
    '10.0.0.Infinity',
    '10.0.a.1',
    '1.2.3',
    '1.2.3.4.5',
  ]) {
    assert.equal(compareIp('250.250.250.250', bad), -1, bad);
    assert.equal(compareIp(bad, '0.0.0.0'), 1, bad);
  }
  assert.equal(compareIp('1.2.3.4', '1.2.3'), -1);
  assert.equal(compareIp('1.2.3', '1.2.3.4'), 1);
  assert.equal(compareIp('1.2.3.4', '1.2.3.4.5'), -1);
});

test('compareIp: two addresses that are not IPv4 compare by text, equal ones 0', () => {
  assert.equal(compareIp('fe80::1', 'fe80::2'), -1);
  assert.equal(compareIp('fe80::2', 'fe80::1'), 1);
  assert.equal(compareIp('fe80::1', 'fe80::1'), 0);
  assert.equal(compareIp('10.0.0.256', '10.0.0.3000'), -1);
  assert.equal(compareIp('', 'a'), -1);
  assert.equal(compareIp('', ''), 0);
  const ips = ['weird', '10.0.0.10', '::1', '10.0.0.9', '1.2.3', '::ffff:10.0.0.3'];
  assert.deepEqual([...ips].sort(compareIp), ['::ffff:10.0.0.3', '10.0.0.9', '10.0.0.10', '1.2.3', '::1', 'weird']);
});

// ---- plain helpers and constants -------------------------------------------------------

test('CAMERA_CHANGE_EVENTS: the seven events whose first argument is the new record, in this order', () => {
  assert.deepEqual(CAMERA_CHANGE_EVENTS, ['online', 'offline', 'state', 'settings', 'name', 'motion-settings', 'motion']);
});

test('isStreaming: only the streaming state', () => {
  assert.equal(isStreaming(record({ id: 'A', state: 'streaming', online: true })), true);
  for (const state of ['bootstrapped', 'registered', 'nat', 'probing', 'command', 'mqtt-only', 'offline'] as const)
    assert.equal(isStreaming(record({ id: 'A', state, online: true })), false, state);
});

test('motionSettingsOf: the stored settings, else the defaults (off, 50)', () => {
  assert.deepEqual(motionSettingsOf(record({ id: 'A' })), { enabled: false, sensitivity: 50 });
  assert.equal(motionSettingsOf(record({ id: 'A' })), DEFAULT_MOTION_SETTINGS);
  assert.deepEqual(motionSettingsOf(record({ id: 'A', motion: { enabled: true, sensitivity: 7 } })), { enabled: true, sensitivity: 7 });
});

test('defaults: 64 cameras and the wall clock', () => {
  assert.equal(DEFAULT_MAX_CAMERAS, 64);
  const before = Date.now();
  const registry = new CameraRegistry();
  assert.equal(registry.maxCameras, 64);
  const camera = registry.markOnline('A', '10.0.0.2', undefined);
  const after = Date.now();
  assert.ok(camera && camera.firstSeen >= before && camera.firstSeen <= after, 'firstSeen from Date.now');
  assert.equal(new CameraRegistry(() => 5, 3).maxCameras, 3);
});

// ---- listeners -------------------------------------------------------------------------

test('on: returns its unsubscribe, which may be called twice; listenerCount follows', () => {
  const registry = new CameraRegistry(() => 1000);
  const seen: string[] = [];
  assert.equal(registry.listenerCount('online'), 0);
  const first = registry.on('online', (c) => seen.push(`first:${c.id}`));
  const second = registry.on('online', (c) => seen.push(`second:${c.id}`));
  assert.equal(registry.listenerCount('online'), 2);
  assert.equal(registry.listenerCount('offline'), 0);
  registry.markOnline('A', '10.0.0.2', true);
  first();
  first();
  assert.equal(registry.listenerCount('online'), 1);
  registry.markOnline('B', '10.0.0.3', true);
  second();
  assert.equal(registry.listenerCount('online'), 0);
  registry.markOnline('C', '10.0.0.4', true);
  assert.deepEqual(seen, ['first:A', 'second:A', 'second:B']);
});

test('onEach: one listener on each named event, all ended by one call', () => {
  const registry = new CameraRegistry(() => 1000);
  const seen: string[] = [];
  const unsubscribe = registry.onEach(['online', 'offline'], (c) => seen.push(`${c.id}:${c.state}`));
  assert.equal(registry.listenerCount('online'), 1);
  assert.equal(registry.listenerCount('offline'), 1);
  assert.equal(registry.listenerCount('state'), 0);
  registry.markOnline('A', '10.0.0.2', true);
  registry.setState('A', 'command');
  registry.markOffline('A', 'closed');
  unsubscribe();
  assert.equal(registry.listenerCount('online'), 0);
  assert.equal(registry.listenerCount('offline'), 0);
  registry.markOnline('A', '10.0.0.2', true);
  assert.deepEqual(seen, ['A:registered', 'A:offline']);
});

// ---- queries ---------------------------------------------------------------------------

test('get, has, size, onlineCount', () => {
  const { registry } = fixture();
  assert.equal(registry.size, 0);
  assert.equal(registry.onlineCount, 0);
  assert.equal(registry.get('A'), undefined);
  assert.equal(registry.has('A'), false);
  registry.markOnline('A', '10.0.0.2', true);
  registry.markOnline('B', '10.0.0.3', true);
  registry.markOnline('C', '10.0.0.4', true);
  registry.noteBootstrap('D', '10.0.0.5', undefined);
  assert.equal(registry.size, 4);
  assert.equal(registry.onlineCount, 3);
  registry.markOffline('B', 'closed');
  assert.equal(registry.onlineCount, 2);
  assert.equal(registry.has('A'), true);
  assert.equal(registry.get('A')?.id, 'A');
});

test('list: numerically by IP, then by id, whatever the order of arrival', () => {
  const arrivals = [
    ['B', '10.0.0.10'],
    ['Z', '10.0.0.9'],
    ['C', '10.0.0.10'],
    ['A', '10.0.0.10'],
    ['Y', 'host'],
    ['X', '9.0.0.1'],
  ] as const;
  for (const order of [arrivals, [...arrivals].reverse()]) {
    const { registry } = fixture();
    for (const [id, ip] of order) registry.noteBootstrap(id, ip, undefined);
    assert.deepEqual(
      registry.list().map((c) => c.id),
      ['X', 'Z', 'A', 'B', 'C', 'Y'],
    );
  }
});

// ---- restore ---------------------------------------------------------------------------

test('restore: every camera offline, not streaming, no motion; other fields kept; no events', () => {
  const { registry, events } = fixture();
  const stored = record({
    id: 'A',
    name: 'Garden',
    online: true,
    state: 'streaming',
    motionDetected: true,
    lastMotionAt: 50,
    firmware: '202212011602',
    motion: { enabled: true, sensitivity: 20 },
  });
  registry.restore([stored, record({ id: 'B', registered: false, state: 'bootstrapped' })]);
  assert.deepEqual(registry.get('A'), { ...stored, online: false, state: 'offline', motionDetected: false });
  assert.deepEqual(registry.get('B'), record({ id: 'B', registered: false, state: 'offline', motionDetected: false }));
  assert.equal(registry.onlineCount, 0);
  assert.deepEqual(events, []);
});

test('restore: at most maxCameras, registered ones first, then the most recently seen', () => {
  const { registry } = fixture(3);
  registry.restore([
    record({ id: 'U1', registered: false, lastSeen: 500 }),
    record({ id: 'R1', lastSeen: 100 }),
    record({ id: 'U2', registered: false, lastSeen: 900 }),
    record({ id: 'R2', lastSeen: 50 }),
    record({ id: 'U3', registered: false, lastSeen: 300 }),
  ]);
  assert.deepEqual(
    ['R1', 'R2', 'U1', 'U2', 'U3'].filter((id) => registry.has(id)),
    ['R1', 'R2', 'U2'],
  );

  const { registry: recent } = fixture(2);
  recent.restore([record({ id: 'R1', lastSeen: 100 }), record({ id: 'R2', lastSeen: 300 }), record({ id: 'R3', lastSeen: 200 })]);
  assert.deepEqual(
    ['R1', 'R2', 'R3'].filter((id) => recent.has(id)),
    ['R2', 'R3'],
  );

  const { registry: unregistered } = fixture(2);
  unregistered.restore([
    record({ id: 'U1', registered: false, lastSeen: 100 }),
    record({ id: 'U2', registered: false, lastSeen: 300 }),
    record({ id: 'U3', registered: false, lastSeen: 200 }),
  ]);
  assert.deepEqual(
    ['U1', 'U2', 'U3'].filter((id) => unregistered.has(id)),
    ['U2', 'U3'],
  );
});

// ---- admit and making room ---------------------------------------------------------------

test('admit: a known id or a free place, without events', () => {
  const { registry, events } = fixture(2);
  assert.equal(registry.admit('A'), true);
  assert.equal(registry.size, 0, 'admit adds nothing');
  proven(registry, 'A', '10.0.0.2');
  proven(registry, 'B', '10.0.0.3');
  events.length = 0;
  assert.equal(registry.admit('A'), true);
  assert.equal(registry.admit('B'), true);
  assert.deepEqual(events, []);
});

test('admit when full: the stalest unproven offline entry goes (removed), else `full` with the id and the limit', () => {
  const { registry, clock, events } = fixture(3);
  proven(registry, 'P', '10.0.0.2');
  clock.now = 2000;
  registry.noteBootstrap('U', '10.0.0.3', undefined);
  clock.now = 3000;
  registry.markOnline('R', '10.0.0.4', true);
  registry.markOffline('R', 'closed');
  const stale = registry.get('U');
  events.length = 0;
  assert.equal(registry.admit('N1'), true);
  assert.deepEqual(events, [['removed', 'U', stale]]);
  assert.equal(registry.has('U'), false);
  assert.equal(registry.size, 2);

  // Admitting only makes room; filling it is the caller's business.
  clock.now = 4000;
  registry.noteBootstrap('N1', '10.0.0.5', undefined);
  const unproven = registry.get('R');
  events.length = 0;
  assert.equal(registry.admit('N2'), true, 'a registered camera without base info is unproven');
  assert.deepEqual(events, [['removed', 'R', unproven]]);

  registry.markOnline('N2', '10.0.0.6', true);
  registry.mergeBaseInfo('N2', { IrLed: 1 });
  registry.markOnline('N1', '10.0.0.5', true);
  events.length = 0;
  assert.equal(registry.admit('N3'), false, 'proven cameras and online ones stay');
  assert.deepEqual(events, [['full', 'N3', 3]]);
  assert.deepEqual(
    registry
      .list()
      .map((c) => c.id)
      .sort(),
    ['N1', 'N2', 'P'],
  );
});

test('making room: an offline proven camera stays even when staler; of the unproven ones the stalest goes, the first on a tie', () => {
  const { registry, clock, events } = fixture(3);
  clock.now = 100;
  proven(registry, 'P', '10.0.0.2');
  registry.markOffline('P', 'closed');
  clock.now = 300;
  registry.noteBootstrap('U1', '10.0.0.3', undefined);
  clock.now = 500;
  registry.noteBootstrap('U2', '10.0.0.4', undefined);
  clock.now = 900;
  events.length = 0;
  assert.equal(registry.admit('N'), true);
  assert.deepEqual(
    events.map((e) => e.slice(0, 2)),
    [['removed', 'U1']],
  );

  // The stalest arrived last: it is still the one that goes.
  const { registry: late, clock: lateClock, events: lateEvents } = fixture(3);
  lateClock.now = 800;
  late.noteBootstrap('V1', '10.0.0.3', undefined);
  lateClock.now = 600;
  late.noteBootstrap('V2', '10.0.0.4', undefined);
  lateClock.now = 200;
  late.noteBootstrap('V3', '10.0.0.5', undefined);
  lateEvents.length = 0;
  assert.equal(late.admit('N'), true);
  assert.deepEqual(
    lateEvents.map((e) => e.slice(0, 2)),
    [['removed', 'V3']],
  );

  const { registry: tie, clock: tieClock, events: tieEvents } = fixture(2);
  tieClock.now = 400;
  tie.noteBootstrap('T1', '10.0.0.3', undefined);
  tie.noteBootstrap('T2', '10.0.0.4', undefined);
  tieEvents.length = 0;
  assert.equal(tie.admit('N'), true);
  assert.deepEqual(
    tieEvents.map((e) => e.slice(0, 2)),
    [['removed', 'T1']],
  );
});

test('making room: a registered camera without base info that is online stays', () => {
  const { registry, clock, events } = fixture(2);
  clock.now = 100;
  registry.markOnline('R', '10.0.0.2', true);
  clock.now = 200;
  registry.noteBootstrap('U', '10.0.0.3', undefined);
  events.length = 0;
  assert.equal(registry.admit('N'), true);
  assert.deepEqual(
    events.map((e) => e.slice(0, 2)),
    [['removed', 'U']],
  );
  registry.noteBootstrap('N', '10.0.0.4', undefined);
  registry.markOnline('N', '10.0.0.4', true);
  events.length = 0;
  assert.equal(registry.admit('M'), false);
  assert.deepEqual(events, [['full', 'M', 2]]);
});

test('a known id never makes room, even in a full registry (bootstrap, MQTT-only, registration)', () => {
  const { registry, clock, events } = fixture(2);
  registry.noteBootstrap('A', '10.0.0.2', undefined);
  clock.now = 2000;
  registry.noteBootstrap('B', '10.0.0.3', undefined);
  events.length = 0;
  registry.noteBootstrap('B', '10.0.0.3', undefined);
  registry.noteMqttOnly('B', '10.0.0.3');
  registry.markOnline('B', '10.0.0.3', true);
  assert.equal(registry.has('A'), true);
  assert.deepEqual(
    events.map((e) => e[0]),
    ['state', 'state', 'online'],
  );
});

// ---- noteBootstrap ---------------------------------------------------------------------

test('noteBootstrap: a new id is an unregistered, offline entry with the firmware header; `state` from undefined', () => {
  const { registry, events } = fixture();
  const camera = registry.noteBootstrap('A', '10.0.0.2', '202212011602');
  const expected = {
    id: 'A',
    ip: '10.0.0.2',
    online: false,
    firstSeen: 1000,
    lastSeen: 1000,
    state: 'bootstrapped',
    registered: false,
    firmware: '202212011602',
  };
  assert.deepEqual(camera, expected);
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['state', expected, undefined]]);
  assert.deepEqual(registry.noteBootstrap('B', '10.0.0.3', undefined), { ...expected, id: 'B', ip: '10.0.0.3', firmware: undefined });
});

test('noteBootstrap: an unregistered entry takes the new address, time and firmware (kept when the header is absent)', () => {
  const { registry, clock, events } = fixture();
  registry.noteBootstrap('A', '10.0.0.2', 'v1');
  registry.noteMqttOnly('A', '10.0.0.2');
  clock.now = 2000;
  events.length = 0;
  const moved = registry.noteBootstrap('A', '10.0.0.9', undefined);
  const expected = {
    id: 'A',
    ip: '10.0.0.9',
    online: false,
    firstSeen: 1000,
    lastSeen: 2000,
    state: 'bootstrapped',
    registered: false,
    firmware: 'v1',
  };
  assert.deepEqual(moved, expected);
  assert.deepEqual(events, [['state', expected, 'mqtt-only']]);
  clock.now = 3000;
  assert.deepEqual(registry.noteBootstrap('A', '10.0.0.9', 'v2'), { ...expected, lastSeen: 3000, firmware: 'v2' });
});

test('noteBootstrap: a registered camera that is online, or asks from another address, is left as it is', () => {
  const { registry, clock, events } = fixture();
  const online = registry.markOnline('A', '10.0.0.2', true);
  clock.now = 2000;
  events.length = 0;
  assert.equal(registry.noteBootstrap('A', '10.0.0.2', 'v9'), online);
  assert.equal(registry.get('A'), online);
  registry.markOffline('A', 'closed');
  const offline = registry.get('A');
  events.length = 0;
  assert.equal(registry.noteBootstrap('A', '10.0.0.66', 'v9'), offline);
  assert.equal(registry.get('A'), offline);
  assert.deepEqual(events, []);
});

test('noteBootstrap: an offline registered camera from its own address is bootstrapped again; firmware kept without a header', () => {
  const { registry, clock, events } = fixture();
  registry.markOnline('A', '10.0.0.2', true);
  registry.mergeBaseInfo('A', { version: 'v1' });
  registry.markOffline('A', 'closed');
  const before = registry.get('A');
  clock.now = 2000;
  events.length = 0;
  const again = registry.noteBootstrap('A', '10.0.0.2', undefined);
  const expected = { ...before, lastSeen: 2000, state: 'bootstrapped', firmware: 'v1' };
  assert.deepEqual(again, expected);
  assert.deepEqual(events, [['state', expected, 'offline']]);
  clock.now = 3000;
  assert.deepEqual(registry.noteBootstrap('A', '10.0.0.2', 'v2'), { ...expected, lastSeen: 3000, firmware: 'v2' });
});

test('noteBootstrap: undefined when full, with `full`', () => {
  const { registry, events } = fixture(1);
  proven(registry, 'A', '10.0.0.2');
  events.length = 0;
  assert.equal(registry.noteBootstrap('B', '10.0.0.3', 'v1'), undefined);
  assert.equal(registry.has('B'), false);
  assert.deepEqual(events, [['full', 'B', 1]]);
});

// ---- noteMqttOnly ----------------------------------------------------------------------

test('noteMqttOnly: a new id gets the default record in state mqtt-only; `state` from undefined', () => {
  const { registry, events } = fixture();
  const camera = registry.noteMqttOnly('A', '10.0.0.2');
  const expected = { id: 'A', ip: '10.0.0.2', online: false, firstSeen: 1000, lastSeen: 1000, state: 'mqtt-only', registered: false };
  assert.deepEqual(camera, expected);
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['state', expected, undefined]]);
});

test('noteMqttOnly: an unregistered entry moves; an offline registered one from its own address refreshes', () => {
  const { registry, clock, events } = fixture();
  registry.noteBootstrap('A', '10.0.0.2', 'v1');
  clock.now = 2000;
  events.length = 0;
  const moved = registry.noteMqttOnly('A', '10.0.0.9');
  const expectedA = {
    id: 'A',
    ip: '10.0.0.9',
    online: false,
    firstSeen: 1000,
    lastSeen: 2000,
    state: 'mqtt-only',
    registered: false,
    firmware: 'v1',
  };
  assert.deepEqual(moved, expectedA);
  assert.deepEqual(events, [['state', expectedA, 'bootstrapped']]);

  registry.markOnline('B', '10.0.0.3', false);
  registry.markOffline('B', 'closed');
  const before = registry.get('B');
  clock.now = 3000;
  events.length = 0;
  const expectedB = { ...before, lastSeen: 3000, state: 'mqtt-only' };
  assert.deepEqual(registry.noteMqttOnly('B', '10.0.0.3'), expectedB);
  assert.deepEqual(events, [['state', expectedB, 'offline']]);
});

test('noteMqttOnly: an online camera, or a registered one seen from another address, is left as it is', () => {
  const { registry, clock, events } = fixture();
  const online = registry.markOnline('A', '10.0.0.2', true);
  clock.now = 2000;
  events.length = 0;
  assert.equal(registry.noteMqttOnly('A', '10.0.0.2'), online);
  assert.equal(registry.noteMqttOnly('A', '10.0.0.7'), online);
  registry.markOffline('A', 'closed');
  const offline = registry.get('A');
  events.length = 0;
  assert.equal(registry.noteMqttOnly('A', '10.0.0.7'), offline);
  assert.equal(registry.get('A'), offline);
  assert.deepEqual(events, []);
});

test('noteMqttOnly: undefined when full, with `full`', () => {
  const { registry, events } = fixture(1);
  registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  assert.equal(registry.noteMqttOnly('B', '10.0.0.3'), undefined);
  assert.equal(registry.has('B'), false);
  assert.deepEqual(events, [['full', 'B', 1]]);
});

// ---- expireUnregistered ----------------------------------------------------------------

test('expireUnregistered: unregistered entries seen at or before now − maxAge go, with `removed`; the ids come back', () => {
  const { registry, clock, events } = fixture();
  clock.now = 1000;
  registry.noteBootstrap('OLD', '10.0.0.2', undefined);
  clock.now = 1001;
  registry.noteMqttOnly('FRESH', '10.0.0.3');
  clock.now = 900;
  registry.noteBootstrap('OLDER', '10.0.0.4', undefined);
  clock.now = 800;
  registry.markOnline('REG', '10.0.0.5', true);
  registry.markOffline('REG', 'closed');
  registry.markOnline('ON', '10.0.0.6', true);
  const old = registry.get('OLD');
  const older = registry.get('OLDER');
  clock.now = 6000;
  events.length = 0;
  assert.deepEqual(registry.expireUnregistered(5000), ['OLD', 'OLDER']);
  assert.deepEqual(events, [
    ['removed', 'OLD', old],
    ['removed', 'OLDER', older],
  ]);
  assert.deepEqual(
    registry
      .list()
      .map((c) => c.id)
      .sort(),
    ['FRESH', 'ON', 'REG'],
  );
  events.length = 0;
  assert.deepEqual(registry.expireUnregistered(5000), []);
  assert.deepEqual(events, []);
  clock.now = 6002;
  assert.deepEqual(registry.expireUnregistered(5000), ['FRESH']);
});

// ---- markOnline, touch, markOffline ------------------------------------------------------

test('markOnline: a new camera, registered and online; `online` with the record', () => {
  const { registry, events } = fixture();
  const camera = registry.markOnline('A', '10.0.0.2', true);
  const expected = {
    id: 'A',
    firstSeen: 1000,
    ip: '10.0.0.2',
    registered: true,
    online: true,
    lastSeen: 1000,
    state: 'registered',
    tokenOk: true,
    offlineReason: undefined,
  };
  assert.deepEqual(camera, expected);
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['online', expected]]);
  assert.equal(registry.markOnline('B', '10.0.0.3', undefined)?.tokenOk, undefined);
});

test('markOnline: a known camera keeps firstSeen, name and settings; address, token and time are new, the offline reason gone', () => {
  const { registry, clock, events } = fixture();
  registry.noteBootstrap('A', '10.0.0.2', 'v1');
  registry.markOnline('A', '10.0.0.2', true);
  registry.rename('A', 'Garden');
  registry.mergeBaseInfo('A', { IrLed: 1 });
  registry.markOffline('A', 'closed');
  const before = registry.get('A');
  clock.now = 2000;
  events.length = 0;
  const again = registry.markOnline('A', '10.0.0.8', false);
  const expected = {
    ...before,
    ip: '10.0.0.8',
    online: true,
    lastSeen: 2000,
    state: 'registered',
    tokenOk: false,
    offlineReason: undefined,
  };
  assert.deepEqual(again, expected);
  assert.equal(again?.firstSeen, 1000);
  assert.deepEqual(events, [['online', expected]]);
});

test('markOnline: undefined when full, with `full` and no `online`', () => {
  const { registry, events } = fixture(1);
  registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  assert.equal(registry.markOnline('B', '10.0.0.3', true), undefined);
  assert.equal(registry.has('B'), false);
  assert.deepEqual(events, [['full', 'B', 1]]);
});

test('touch: lastSeen only, no event; an unknown id is ignored', () => {
  const { registry, clock, events } = fixture();
  const before = registry.markOnline('A', '10.0.0.2', true);
  clock.now = 2000;
  events.length = 0;
  registry.touch('A');
  registry.touch('B');
  assert.deepEqual(registry.get('A'), { ...before, lastSeen: 2000 });
  assert.equal(registry.has('B'), false);
  assert.deepEqual(events, []);
});

test('markOffline: only an online camera; offline state, reason, motion ended; `offline` once with the reason', () => {
  const { registry, events } = fixture();
  registry.markOffline('NONE', 'closed');
  registry.noteBootstrap('U', '10.0.0.3', undefined);
  const unregistered = registry.get('U');
  registry.markOffline('U', 'closed');
  assert.equal(registry.get('U'), unregistered);
  assert.equal(registry.has('NONE'), false);

  registry.markOnline('A', '10.0.0.2', true);
  registry.setState('A', 'streaming');
  registry.setMotionDetected('A', true, 900);
  const before = registry.get('A');
  events.length = 0;
  registry.markOffline('A', 'timeout');
  registry.markOffline('A', 'again');
  const expected = { ...before, online: false, state: 'offline', offlineReason: 'timeout', motionDetected: false };
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['offline', expected, 'timeout']]);
});

// ---- setState ----------------------------------------------------------------------------

test('setState: an online camera moves, `state` with the previous one; unknown, unchanged or offline: nothing', () => {
  const { registry, clock, events } = fixture();
  registry.setState('NONE', 'command');
  assert.equal(registry.has('NONE'), false);
  const online = registry.markOnline('A', '10.0.0.2', true);
  clock.now = 2000;
  events.length = 0;
  registry.setState('A', 'registered');
  assert.equal(registry.get('A'), online);
  registry.setState('A', 'nat');
  const expected = { ...online, state: 'nat' };
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['state', expected, 'registered']]);

  registry.markOffline('A', 'closed');
  const offline = registry.get('A');
  events.length = 0;
  registry.setState('A', 'command');
  assert.equal(registry.get('A'), offline);
  assert.deepEqual(events, []);
});

// ---- mergeBaseInfo -------------------------------------------------------------------------

test('mergeBaseInfo: new fields over old ones, old ones kept; firmware from `version`; `settings`', () => {
  const { registry, events } = fixture();
  registry.noteBootstrap('A', '10.0.0.2', 'header');
  registry.markOnline('A', '10.0.0.2', true);
  registry.mergeBaseInfo('A', { IrLed: 1, devPower: 80, extra: 'x' });
  assert.deepEqual(registry.get('A')?.baseInfo, { IrLed: 1, devPower: 80, extra: 'x' });
  assert.equal(registry.get('A')?.firmware, 'header', 'no version: the firmware stays');
  const before = registry.get('A');
  events.length = 0;
  registry.mergeBaseInfo('A', { devPower: 70, version: '202312111512' });
  const expected = { ...before, baseInfo: { IrLed: 1, devPower: 70, extra: 'x', version: '202312111512' }, firmware: '202312111512' };
  assert.deepEqual(registry.get('A'), expected);
  assert.deepEqual(events, [['settings', expected]]);
});

test('mergeBaseInfo: an empty version keeps the firmware; a version is cleaned and cut to 32 characters', () => {
  const { registry } = fixture();
  registry.noteBootstrap('A', '10.0.0.2', 'header');
  registry.mergeBaseInfo('A', { version: '' });
  assert.equal(registry.get('A')?.firmware, 'header');
  assert.deepEqual(registry.get('A')?.baseInfo, { version: '' });
  const long = `2023\u202e1211${'9'.repeat(40)}`;
  registry.mergeBaseInfo('A', { version: long });
  assert.equal(registry.get('A')?.firmware, `20231211${'9'.repeat(24)}`);
  assert.equal(registry.get('A')?.baseInfo?.version, `20231211${'9'.repeat(40)}`, 'base info keeps up to 64');

  registry.noteBootstrap('B', '10.0.0.3', undefined);
  registry.mergeBaseInfo('B', { version: '' });
  assert.deepEqual(registry.get('B'), {
    id: 'B',
    ip: '10.0.0.3',
    online: false,
    firstSeen: 1000,
    lastSeen: 1000,
    state: 'bootstrapped',
    registered: false,
    firmware: undefined,
    baseInfo: { version: '' },
  });
});

test('mergeBaseInfo: a wrong new value is dropped and never replaces a good one', () => {
  const { registry } = fixture();
  registry.markOnline('A', '10.0.0.2', true);
  registry.mergeBaseInfo('A', { IrLed: 1, devPower: 80 });
  // The type allows any number; the protocol's range check (messages.ts) does not.
  registry.mergeBaseInfo('A', { IrLed: 7, devPower: 75 });
  assert.deepEqual(registry.get('A')?.baseInfo, { IrLed: 1, devPower: 75 });
});

test('mergeBaseInfo: the merged base info keeps the protocol cap of 48 fields', () => {
  const { registry } = fixture();
  registry.markOnline('A', '10.0.0.2', true);
  const fields = (prefix: string): BaseInfo => toBaseInfo(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`${prefix}${i}`, i])));
  registry.mergeBaseInfo('A', fields('a'));
  registry.mergeBaseInfo('A', fields('b'));
  assert.equal(Object.keys(registry.get('A')?.baseInfo ?? {}).length, 48);
});

test('mergeBaseInfo: an unknown id is ignored', () => {
  const { registry, events } = fixture();
  registry.mergeBaseInfo('NONE', { IrLed: 1 });
  assert.equal(registry.has('NONE'), false);
  assert.deepEqual(events, []);
});

// ---- rename ----------------------------------------------------------------------------------

test('rename: `name` with the previous name; the same name changes nothing; undefined for an unknown id', () => {
  const { registry, events } = fixture();
  assert.equal(registry.rename('NONE', 'x'), undefined);
  assert.equal(registry.has('NONE'), false);
  const camera = registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  assert.equal(registry.rename('A', undefined), camera, 'unnamed already');
  const named = registry.rename('A', 'Garden');
  assert.deepEqual(named, { ...camera, name: 'Garden' });
  assert.equal(registry.rename('A', 'Garden'), named);
  const renamed = registry.rename('A', 'Yard');
  const unnamed = registry.rename('A', undefined);
  assert.deepEqual(unnamed, { ...camera, name: undefined });
  assert.deepEqual(events, [
    ['name', named, undefined],
    ['name', renamed, 'Garden'],
    ['name', unnamed, 'Yard'],
  ]);
});

// ---- motion ----------------------------------------------------------------------------------

test('changeMotionSettings: defaults filled in; the first change is announced even when it equals the defaults', () => {
  const { registry, events } = fixture();
  assert.equal(registry.changeMotionSettings('NONE', { enabled: true }), undefined);
  assert.equal(registry.has('NONE'), false);
  const camera = registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  const first = registry.changeMotionSettings('A', { enabled: false });
  assert.deepEqual(first, { ...camera, motion: { enabled: false, sensitivity: 50 } });
  assert.deepEqual(events, [['motion-settings', first]]);
  events.length = 0;
  assert.equal(registry.changeMotionSettings('A', { enabled: false }), first);
  assert.equal(registry.changeMotionSettings('A', { sensitivity: 50 }), first);
  assert.equal(registry.changeMotionSettings('A', {}), first);
  assert.deepEqual(events, []);
});

test('changeMotionSettings: either field alone is a change, the other one kept', () => {
  const { registry, events } = fixture();
  registry.markOnline('A', '10.0.0.2', true);
  registry.changeMotionSettings('A', { sensitivity: 30 });
  events.length = 0;
  const enabled = registry.changeMotionSettings('A', { enabled: true });
  assert.deepEqual(enabled?.motion, { enabled: true, sensitivity: 30 });
  const sensitive = registry.changeMotionSettings('A', { sensitivity: 90 });
  assert.deepEqual(sensitive?.motion, { enabled: true, sensitivity: 90 });
  const both = registry.changeMotionSettings('A', { enabled: false, sensitivity: 1 });
  assert.deepEqual(both?.motion, { enabled: false, sensitivity: 1 });
  assert.deepEqual(events, [
    ['motion-settings', enabled],
    ['motion-settings', sensitive],
    ['motion-settings', both],
  ]);
});

test('setMotionDetected: start sets lastMotionAt, end keeps it; no event without a change; unknown ignored', () => {
  const { registry, events } = fixture();
  registry.setMotionDetected('NONE', true, 5);
  assert.equal(registry.has('NONE'), false);
  const camera = registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  registry.setMotionDetected('A', false, 10);
  assert.equal(registry.get('A'), camera, 'never detected counts as not detected');
  registry.setMotionDetected('A', true, 1500);
  const started = { ...camera, motionDetected: true, lastMotionAt: 1500 };
  assert.deepEqual(registry.get('A'), started);
  registry.setMotionDetected('A', true, 1600);
  registry.setMotionDetected('A', false, 1700);
  const ended = { ...started, motionDetected: false };
  assert.deepEqual(registry.get('A'), ended);
  registry.setMotionDetected('A', false, 1800);
  assert.deepEqual(events, [
    ['motion', started],
    ['motion', ended],
  ]);
});

// ---- remove ----------------------------------------------------------------------------------

test('remove: true and `removed` with the id and the last record; false for an unknown id', () => {
  const { registry, events } = fixture();
  const camera = registry.markOnline('A', '10.0.0.2', true);
  events.length = 0;
  assert.equal(registry.remove('NONE'), false);
  assert.equal(registry.remove('A'), true);
  assert.equal(registry.has('A'), false);
  assert.equal(registry.remove('A'), false);
  assert.deepEqual(events, [['removed', 'A', camera]]);
});
