import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessLevel } from '../../src/web/access.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { taggedFrames } from '../support/media-client.js';
import { SETTING_SPECS } from '../../src/protocol/settings.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

const api = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${h.app.ports.web}${path}`, init);

test('GET /api/cameras lists cameras sorted numerically by IP with ISO timestamps', async () => {
  const ids = ['0800c0C00010', '0800c0C00009', '0800c0C00100'];
  const addresses = ['127.0.0.10', '127.0.0.9', '127.0.0.100'];
  const cameras = ids.map((id, i) => h.camera(id, { localAddress: addresses[i] }));
  await Promise.all(cameras.map((c) => c.start()));
  await waitFor(() => ids.every((id) => h.app.registry.get(id)?.online), 'all online');
  const list = (await (await api('/api/cameras')).json()) as Array<Record<string, unknown>>;
  assert.deepEqual(
    list.map((c) => c.ip),
    ['127.0.0.9', '127.0.0.10', '127.0.0.100'],
  );
  const first = list[0]!;
  assert.equal(first.id, '0800c0C00009');
  assert.equal(first.online, true);
  assert.ok(['registered', 'nat', 'probing', 'command'].includes(String(first.state)), String(first.state));
  assert.equal(first.firmware, '202212011602');
  assert.match(String(first.lastSeen), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  for (const c of cameras) c.stop();
});

test('GET /api/cameras/:id returns one camera, 404 JSON for an unknown id', async () => {
  const known = await api('/api/cameras/0800c0C00009');
  assert.equal(known.status, 200);
  assert.equal(((await known.json()) as { id: string }).id, '0800c0C00009');
  const unknown = await api('/api/cameras/nope');
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: string }).error, /not known/);
});

test('settings: validated, sent as 301 and confirmed by the echo; bad payloads are 400', async () => {
  const camera = h.camera('0800c0C00200');
  await camera.start();
  await waitFor(() => h.app.registry.get('0800c0C00200')?.online === true, 'online');
  const post = (body: string) =>
    api('/api/cameras/0800c0C00200/settings', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const ok = await post('{"mirrorFlip":4}');
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { camera: { baseInfo: { mirrorFlip: number } } }).camera.baseInfo.mirrorFlip, 4);
  assert.deepEqual(
    camera.commands.find((c) => c.code === 216),
    { code: 216, mirrorFlip: 4 },
  );
  for (const bad of ['{"mirrorFlip":9}', '{"IrLed":"on"}', '{"reboot":1}', 'nonsense', '{"IrLed":1,"instLed":1}']) {
    const res = await post(bad);
    assert.equal(res.status, 400, bad);
  }
  assert.equal(
    (await api('/api/cameras/unknown/settings', { method: 'POST', body: '{"IrLed":1}', headers: { 'content-type': 'application/json' } }))
      .status,
    404,
  );
  camera.stop();
  await waitFor(() => h.app.registry.get('0800c0C00200')?.online === false, 'offline');
  assert.equal((await post('{"IrLed":1}')).status, 503);
});

test('the settings table drives the API: served at /api/settings; every value of every row is sent and echoed; others are 400', async () => {
  const served = (await (await api('/api/settings')).json()) as { settings: unknown };
  assert.deepEqual(served.settings, JSON.parse(JSON.stringify(SETTING_SPECS)));
  const camera = h.camera('0800c0C00201');
  await camera.start();
  await waitFor(() => h.app.registry.get('0800c0C00201')?.online === true, 'online');
  const post = (body: unknown) =>
    api('/api/cameras/0800c0C00201/settings', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
  for (const spec of SETTING_SPECS) {
    if (spec.platform === 'button') {
      // Actions have their own endpoint (restart), not the settings one.
      assert.equal((await post({ [spec.field]: spec.values[0].value })).status, 400, spec.field);
      continue;
    }
    for (const { value } of spec.values) {
      const res = await post({ [spec.field]: value });
      assert.equal(res.status, 200, `${spec.field}=${value}`);
      const body = (await res.json()) as { camera: { baseInfo: Record<string, unknown> } };
      assert.equal(body.camera.baseInfo[spec.field], value, `${spec.field}=${value} echoed into base info`);
      assert.deepEqual(
        camera.commands.filter((c) => c.code === spec.code).at(-1),
        { code: spec.code, [spec.field]: value },
        `${spec.field}=${value} at the camera`,
      );
    }
    const refused = [...(spec.reportedOnly ?? []).map(({ value }) => value), 99, -1, 0.5, '1', null];
    for (const value of refused) {
      const res = await post({ [spec.field]: value });
      assert.equal(res.status, 400, `${spec.field}=${JSON.stringify(value)}`);
      assert.match(((await res.json()) as { error: string }).error, new RegExp(`^${spec.field} must be one of `));
    }
  }
  // What the web API once accepted and HA could not express: refused by both now.
  for (const bad of [{ IrLed: 2 }, { mirrorFlip: 1 }]) assert.equal((await post(bad)).status, 400, JSON.stringify(bad));
  camera.stop();
});

test('DELETE forgets a camera: 204, then 404', async () => {
  assert.equal((await api('/api/cameras/0800c0C00010', { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status, 204);
  assert.equal((await api('/api/cameras/0800c0C00010')).status, 404);
  assert.equal((await api('/api/cameras/0800c0C00010', { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status, 404);
});

test('server-sent events deliver the camera list on changes', async () => {
  const controller = new AbortController();
  const res = await api('/api/events', { signal: controller.signal });
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const camera = h.camera('0800c0C00300');
  await camera.start();
  while (!text.includes('0800c0C00300')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  assert.match(text, /event: cameras\ndata: \[/);
  controller.abort();
  camera.stop();
});

test('access: loopback and the ingress proxy get everything; LAN only keyed media, and only with lan_media', () => {
  assert.equal(accessLevel('127.0.0.1', 'GET', '/api/cameras', true), 'full');
  assert.equal(accessLevel('::1', 'POST', '/api/cameras/x/settings', false), 'full');
  assert.equal(accessLevel('172.30.32.2', 'GET', '/', false), 'full');
  assert.equal(accessLevel('::ffff:172.30.32.2', 'DELETE', '/api/cameras/x', false), 'full');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras', true), 'none');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/', true), 'none');
  assert.equal(accessLevel('192.168.1.50', 'POST', '/api/cameras/x/restart', true), 'none');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/snapshot', true, true), 'media');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/stream', true, true), 'media');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/audio', true, true), 'media');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/snapshot', true), 'none', 'LAN media needs the key');
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/snapshot', false, true), 'none');
  assert.equal(accessLevel('172.30.32.3', 'GET', '/api/cameras', true), 'none');
  // The cached frame and names are the dashboard's: never open to the LAN, even with lan_media.
  assert.equal(accessLevel('192.168.1.50', 'GET', '/api/cameras/x/frame', true), 'none');
  assert.equal(accessLevel('192.168.1.50', 'PUT', '/api/cameras/x/name', true), 'none');
  assert.equal(accessLevel('172.30.32.2', 'PUT', '/api/cameras/x/name', false), 'full');
});

test('access: a keyed media request gets the media level before the address is trusted; HA Core may use keyed URLs with lan_media off', () => {
  // Loopback and ingress with the key: media (the Host rule does not apply to it), not full.
  assert.equal(accessLevel('127.0.0.1', 'GET', '/api/cameras/x/stream', false, true), 'media');
  assert.equal(accessLevel('172.30.32.2', 'HEAD', '/api/cameras/x/snapshot', false, true), 'media');
  // HA Core on the Supervisor network: its MJPEG entries fetch keyed URLs, whatever lan_media says.
  assert.equal(accessLevel('172.30.32.1', 'GET', '/api/cameras/x/stream', false, true), 'media');
  assert.equal(accessLevel('::ffff:172.30.32.1', 'GET', '/api/cameras/x/snapshot', false, true), 'media');
  assert.equal(accessLevel('172.30.32.1', 'GET', '/api/cameras/x/stream', false), 'none', 'HA Core without the key');
  assert.equal(accessLevel('172.30.32.1', 'GET', '/api/cameras', true, true), 'none', 'the key opens media only, for HA Core too');
  assert.equal(accessLevel('172.30.32.1', 'POST', '/api/cameras/x/stream', true, true), 'none', 'media is read-only');
  // Without the key, or on a non-media path, loopback is still full.
  assert.equal(accessLevel('127.0.0.1', 'GET', '/api/cameras/x/stream', false), 'full');
  assert.equal(accessLevel('127.0.0.1', 'GET', '/api/cameras', false, true), 'full');
});

test('GET /api/info tells the dashboard where LAN devices reach the media URLs', async () => {
  const info = (await (await api('/api/info')).json()) as Record<string, unknown>;
  assert.equal(info.lanHost, '127.0.0.1');
  assert.equal(info.webPort, h.app.ports.web);
  assert.equal(info.lanMedia, true);
  assert.equal(typeof info.version, 'string');
});

test('GET /api/cameras/:id/frame: the cached latest frame without opening a stream; 204 before any frame', async () => {
  const id = '0800c0C00400';
  const camera = h.camera(id, { localAddress: '127.0.0.40', frames: taggedFrames(id), fps: 10 });
  const sent: Buffer[] = [];
  camera.on('frameSent', (jpeg) => sent.push(jpeg));
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'online');

  const none = await api(`/api/cameras/${id}/frame`);
  assert.equal(none.status, 204);
  assert.equal((await none.arrayBuffer()).byteLength, 0);
  assert.equal(((await (await api(`/api/cameras/${id}`)).json()) as { frame?: unknown }).frame, undefined);
  assert.equal(camera.commands.filter((c) => c.code === 3).length, 0, 'asking for the cached frame opened no stream');
  assert.equal((await api('/api/cameras/unknown/frame')).status, 404);

  // A snapshot (someone watching) fills the cache; the tile endpoint then serves that frame.
  const snapshot = Buffer.from(await (await api(`/api/cameras/${id}/snapshot`)).arrayBuffer());
  const opens = camera.commands.filter((c) => c.code === 3).length;
  const res = await api(`/api/cameras/${id}/frame`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/jpeg');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = Buffer.from(await res.arrayBuffer());
  assert.ok(
    sent.some((frame) => frame.equals(body)),
    'a frame the camera sent, byte for byte',
  );
  assert.ok(snapshot.length > 0, 'the snapshot has bytes');
  const view = (await (await api(`/api/cameras/${id}`)).json()) as { frame: { seq: number; at: string } };
  assert.ok(view.frame.seq >= 1, `the list shows a frame sequence number, got ${view.frame.seq}`);
  assert.ok(view.frame.seq >= Number(res.headers.get('x-frame-seq')), 'the list knows the served frame (or a newer one)');
  assert.match(view.frame.at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(camera.commands.filter((c) => c.code === 3).length, opens, 'reading the cache opened no stream');

  // Forgetting the camera drops its cached frame.
  assert.equal((await api(`/api/cameras/${id}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status, 204);
  assert.equal(h.app.media.latestFrame(id), undefined);
  camera.stop();
});

test('PUT /api/cameras/:id/name: trimmed, validated, logged, kept across a restart; empty clears it', async () => {
  const id = '0800c0C00500';
  const camera = h.camera(id, { localAddress: '127.0.0.50', reconnect: false });
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'online');
  const put = (body: string, target = id) =>
    api(`/api/cameras/${target}/name`, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

  const ok = await put('{"name":"  Garden  "}');
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { camera: { name: string } }).camera.name, 'Garden');
  assert.equal(h.app.registry.get(id)?.name, 'Garden');
  assert.ok(h.log.about(id, /^renamed to "Garden"$/), 'the rename is logged with the camera id');

  const bad: Array<[string, RegExp]> = [
    ['{"name":"Front\\ndoor"}', /control characters/],
    ['{"name":"a\\u0000b"}', /control characters/],
    ['{"name":"evil\\u202e"}', /control characters/],
    [JSON.stringify({ name: 'x'.repeat(65) }), /at most 64/],
    ['{"name":42}', /must be a string/],
    ['{"title":"Garden"}', /send \{"name"/],
    ['not json', /not JSON/],
  ];
  for (const [body, reason] of bad) {
    const res = await put(body);
    assert.equal(res.status, 400, body);
    assert.match(((await res.json()) as { error: string }).error, reason, body);
  }
  assert.equal(h.app.registry.get(id)?.name, 'Garden', 'refused names change nothing');
  assert.equal((await put(JSON.stringify({ name: '🏡 Gårten ' + 'x'.repeat(55) }))).status, 200, '64 characters (not bytes) are fine');
  assert.equal((await put('{"name":"Garden"}', 'unknown')).status, 404);
  assert.equal((await put('{"name":"Garden"}')).status, 200);

  // Log lines about the camera carry its name, whichever part writes them.
  const mark = h.log.lines.length;
  camera.stop();
  await waitFor(() => h.app.registry.get(id)?.online === false, 'offline');
  const about = h.log.lines.slice(mark).filter((line) => line.camera === id);
  assert.ok(
    about.some((line) => line.part === 'camera'),
    'the camera part logged the disconnect',
  );
  for (const line of about) assert.equal(line.cameraName, 'Garden', line.msg);
  assert.equal(h.log.lines.find((line) => line.camera === '0800c0C00009')?.cameraName, undefined, 'unnamed cameras get no name field');
  await h.restart();
  assert.equal(h.app.registry.get(id)?.name, 'Garden', 'the name survives a restart');
  const cleared = await put('{"name":"   "}');
  assert.equal(cleared.status, 200);
  assert.equal(((await cleared.json()) as { camera: { name?: string } }).camera.name, undefined);
  assert.equal((await put('{"name":null}')).status, 200);
  assert.equal(h.app.registry.get(id)?.name, undefined);
});
