import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { encodeCameraJson } from '../../src/protocol/messages.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ offlineAfterSeconds: 2 });
});
after(() => h.stop());

const online = (id: string) => h.app.registry.get(id)?.online === true;

test('registration → online, heartbeats answered, silence → offline after offline_after', async () => {
  const camera = h.camera('0800c0A00001', { heartbeatMs: 300 });
  await camera.start();
  await waitFor(() => online('0800c0A00001'), 'camera online');
  const record = h.app.registry.get('0800c0A00001');
  assert.ok(['registered', 'nat', 'probing', 'command'].includes(record?.state ?? ''), record?.state);
  assert.equal(record?.tokenOk, true);
  // Settings arrive on their own shortly after registration (command-mode handshake).
  await waitFor(() => h.app.registry.get('0800c0A00001')?.baseInfo?.IrLed !== undefined, 'base info fetched after registration');
  assert.equal(h.app.registry.get('0800c0A00001')?.state, 'command');
  assert.equal(record?.ip, '127.0.0.1');
  await waitFor(() => camera.stats.heartbeatAcks >= 3, 'three heartbeat answers');
  // Heartbeats keep it online well past offline_after.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.ok(online('0800c0A00001'), 'heartbeats keep the camera online');
  camera.freeze();
  await waitFor(() => !online('0800c0A00001'), 'offline after silence');
  assert.match(h.app.registry.get('0800c0A00001')?.offlineReason ?? '', /silent for more than 2 s/);
  camera.stop();
});

test('a TCP reset is offline at once; the camera reconnects and is online again', async () => {
  const camera = h.camera('0800c0A00002', { heartbeatMs: 500 });
  await camera.start();
  await waitFor(() => online('0800c0A00002'), 'online');
  const offline: string[] = [];
  h.app.registry.on('offline', (c, reason) => offline.push(`${c.id}:${reason}`));
  camera.crash();
  await waitFor(() => offline.some((o) => o.startsWith('0800c0A00002')), 'offline event', 1500);
  await waitFor(() => online('0800c0A00002') && camera.stats.registrations === 2, 'reconnected');
  camera.stop();
});

test('a second connection with the same id replaces the first cleanly', async () => {
  const first = h.camera('0800c0A00003', { heartbeatMs: 500, reconnect: false });
  await first.start();
  await waitFor(() => online('0800c0A00003'), 'online');
  const events: string[] = [];
  h.app.registry.on('offline', (c) => c.id === '0800c0A00003' && events.push('offline'));
  h.app.registry.on('online', (c) => c.id === '0800c0A00003' && events.push('online'));
  const second = h.camera('0800c0A00003', { heartbeatMs: 500, reconnect: false });
  await second.start();
  await waitFor(() => !first.isConnected, 'old connection closed by the server');
  assert.ok(online('0800c0A00003'), 'the new connection keeps the camera online');
  assert.deepEqual(events, ['online'], 'the replaced connection does not mark the camera offline');
  assert.notEqual(h.app.sessions.get('0800c0A00003'), undefined, 'the camera keeps its session (one per id)');
  second.stop();
  await waitFor(() => !online('0800c0A00003'), 'offline after the new connection closes');
});

test('two cameras with split and coalesced TCP writes register and stay online', async () => {
  const a = h.camera('0800c0A00004', { writeMode: 'split', heartbeatMs: 200 });
  const b = h.camera('0800c0A00005', { writeMode: 'random', heartbeatMs: 200 });
  await Promise.all([a.start(), b.start()]);
  await waitFor(() => online('0800c0A00004') && online('0800c0A00005'), 'both online');
  await waitFor(() => a.stats.heartbeatAcks >= 5 && b.stats.heartbeatAcks >= 5, 'heartbeats through split writes');
  // Settings work through fragmented writes too (the handshake crosses TCP and UDP).
  await h.app.sessions.sendSetting('0800c0A00005', { code: 210, instLed: 0 });
  assert.equal(h.app.registry.get('0800c0A00005')?.baseInfo?.instLed, 0);
  a.stop();
  b.stop();
});

test('malformed framing closes only the offending connection, with one clear log line each', async () => {
  const bystander = h.camera('0800c0A00006', { heartbeatMs: 300 });
  await bystander.start();
  await waitFor(() => online('0800c0A00006'), 'bystander online');
  const port = h.app.ports.tcp;
  const send = (bytes: Buffer) =>
    new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
    });
  await send(Buffer.from('ffffffff000000000000000000000000000000000000', 'hex'));
  await send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.ok(h.log.find(/length field 4294967295 exceeds/), 'oversized length logged');
  assert.ok(online('0800c0A00006'), 'bystander unaffected');
  const acks = bystander.stats.heartbeatAcks;
  await waitFor(() => bystander.stats.heartbeatAcks > acks + 2, 'bystander still answered');
  bystander.stop();
});

test('an unparseable JSON message is logged once and skipped; the session stays (docs/protocol.md §3)', async () => {
  const camera = h.camera('0800c0A00007', { heartbeatMs: 300, reconnect: false });
  await camera.start();
  await waitFor(() => online('0800c0A00007'), 'camera online');
  camera.sendRaw(encodeCameraJson('not json at all'));
  camera.sendRaw(encodeCameraJson('{"code": 301, "content": '));
  await waitFor(
    () =>
      h.log.about('0800c0A00007', /bad JSON message from 127\.0\.0\.1:\d+: .*skipped, the connection stays \(payload 6e6f74/) !== undefined,
    'log line',
  );
  // Framing intact: the messages after the bad ones are still understood, on the same connection.
  const acks = camera.stats.heartbeatAcks;
  await waitFor(() => camera.stats.heartbeatAcks > acks + 2, 'heartbeats still answered');
  // Rate-limited: the second bad message of the same camera did not add a line.
  assert.equal(h.log.lines.filter((line) => line['camera'] === '0800c0A00007' && /bad JSON message/.test(line.msg)).length, 1);
  await h.app.sessions.sendSetting('0800c0A00007', { code: 210, instLed: 0 });
  assert.equal(h.app.registry.get('0800c0A00007')?.baseInfo?.instLed, 0);
  assert.ok(online('0800c0A00007'), 'bad JSON does not take the camera offline');
  assert.equal(camera.stats.registrations, 1, 'no re-registration');
  // Before registration, too: the connection is not closed and can still register.
  const socket = net.connect(h.app.ports.tcp, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodeCameraJson('{"code": 100, "uid": '));
  socket.write(encodeCameraJson({ code: 100, uid: '0800c0A0000B', token: 'x', domain: 'v720.naxclow.com' }));
  await waitFor(() => online('0800c0A0000B'), 'registered after a bad message on the same connection');
  assert.ok(
    h.log.find(/bad JSON message from unregistered connection 127\.0\.0\.1:\d+: payload is not JSON/),
    'bad JSON before registration logged',
  );
  socket.destroy();
  camera.stop();
});

test('unknown message codes are logged and ignored without dropping the camera', async () => {
  const camera = h.camera('0800c0A00008', { heartbeatMs: 300 });
  await camera.start();
  await waitFor(() => online('0800c0A00008'), 'online');
  camera.sendRaw(encodeCameraJson({ code: 777, hello: 'world' }));
  await waitFor(() => h.log.about('0800c0A00008', /unknown message code 777 from 127\.0\.0\.1:\d+/) !== undefined, 'log line');
  assert.ok(online('0800c0A00008'), 'an unknown code does not take the camera offline');
  camera.stop();
});

test('a token that does not match the handed-out pwd is accepted and flagged', async () => {
  const camera = h.camera('0800c0A00009', { tokenOverride: 'deadbeef' });
  await camera.start();
  await waitFor(() => online('0800c0A00009'), 'online');
  assert.equal(h.app.registry.get('0800c0A00009')?.tokenOk, false);
  assert.ok(h.log.find(/token mismatch/), 'flagged in the log (one line per kind and minute)');
  camera.stop();
});

test('firmware 202412061749 answers with irregular whitespace: base info still parsed', async () => {
  const camera = h.camera('0800c0A0000A', { sloppyJson: true, firmware: '202412061749', baseInfo: { udpPlayBack: 1, IrLed: 2 } });
  await camera.start();
  await waitFor(() => online('0800c0A0000A'), 'online');
  await h.app.sessions.get('0800c0A0000A')?.ensureCommandMode();
  const info = h.app.registry.get('0800c0A0000A')?.baseInfo;
  assert.equal(info?.IrLed, 2);
  assert.equal(info?.udpPlayBack, 1);
  assert.equal(h.app.registry.get('0800c0A0000A')?.firmware, '202412061749');
  assert.equal(h.app.registry.get('0800c0A0000A')?.state, 'command');
  camera.stop();
});

test('base info with unusable fields: those left out with one log line naming the camera and each field, the rest kept, other cameras unaffected', async () => {
  const bad = h.camera('0800c0A0000B', { heartbeatMs: 300, baseInfo: { IrLed: 'on', devPower: 101, mirrorFlip: 2 } });
  const good = h.camera('0800c0A0000C', { heartbeatMs: 300 });
  await Promise.all([bad.start(), good.start()]);
  const infoOf = (id: string) => h.app.registry.get(id)?.baseInfo;
  await waitFor(() => infoOf('0800c0A0000B')?.mirrorFlip === 2 && infoOf('0800c0A0000C')?.IrLed === 0, 'base info of both cameras');
  assert.equal(infoOf('0800c0A0000B')?.IrLed, undefined);
  assert.equal(infoOf('0800c0A0000B')?.devPower, undefined);
  assert.equal(infoOf('0800c0A0000B')?.wifiName, 'demo-wifi');
  assert.equal(infoOf('0800c0A0000C')?.devPower, 87);
  const lines = () =>
    h.log.lines.filter((line) => line['camera'] === '0800c0A0000B' && line.msg.startsWith('sent state (301/4) with fields left out'));
  assert.equal(lines().length, 1);
  assert.equal(lines()[0]?.['camera'], '0800c0A0000B');
  assert.match(
    lines()[0]?.msg ?? '',
    /: IrLed \(expected one of 0, 1, 2, got "on"\); devPower \(expected a whole number from 0 to 100, got 101\)$/,
  );

  // A good value, then the same wrong ones again: the good value stays, and no second line.
  const forward = (content: Record<string, unknown>) =>
    bad.sendRaw(encodeCameraJson({ code: 301, target: 'x', content: { code: 4, ...content } }));
  forward({ IrLed: 1 });
  forward({ IrLed: 'on', devPower: 101 });
  forward({ sdDevStatus: 3 });
  await waitFor(() => infoOf('0800c0A0000B')?.sdDevStatus === 3, 'the later forwards merged');
  assert.equal(infoOf('0800c0A0000B')?.IrLed, 1);
  assert.equal(lines().length, 1, 'each field is reported once');
  assert.ok(online('0800c0A0000B') && online('0800c0A0000C'), 'both cameras stay online');
  bad.stop();
  good.stop();
});
