/**
 * The web port against hostile browsers and LAN hosts (issue 11, "smaller" and "media on the LAN
 * with a key"): DNS rebinding, cross-site form and text/plain posts, slow request bodies, and
 * LAN media URLs without the per-install key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { PEER_APP_HOST, serveWebAppAsPeer } from '../support/web-app-as-peer.js';
import { taggedFrames } from '../support/media-client.js';

const CAM = '0800c0W00001';
let h: Harness;
before(async () => {
  h = await startHarness();
  const camera = h.camera(CAM, { frames: taggedFrames(CAM), fps: 10 });
  await camera.start();
  await waitFor(() => h.app.registry.get(CAM)?.online === true, 'camera online');
});
after(() => h.stop());

const raw = (request: string) => rawHttpExchange('127.0.0.1', h.app.ports.web, request);
const mediaKey = (): string => readFileSync(path.join(h.dataDir, 'media.key'), 'utf8').trim();

test('DNS rebinding: a foreign Host name gets 403; IP literals and localhost are served', async () => {
  const get = (host: string) => raw(`GET /api/cameras HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  assert.equal((await get('attacker.example:1234')).status, 403);
  assert.equal((await get('rebind.attacker.example')).status, 403);
  assert.equal((await get(`127.0.0.1:${h.app.ports.web}`)).status, 200);
  assert.equal((await get(`localhost:${h.app.ports.web}`)).status, 200);
  assert.equal((await get(`[::1]:${h.app.ports.web}`)).status, 200);
  assert.ok(h.log.find(/Host "attacker\.example:1234" does not name this host/), 'a log line names the refused Host header');
});

test('CSRF: text/plain, form and body-less posts are refused; a cross-origin JSON post too; nothing reaches the camera', async () => {
  const commandsBefore = h.app.registry.get(CAM);
  const post = (pathname: string, headers: string, body = '') =>
    raw(
      `POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${h.app.ports.web}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  const settings = `/api/cameras/${CAM}/settings`;
  assert.equal((await post(settings, 'Content-Type: text/plain\r\n', '{"IrLed":1}')).status, 415);
  assert.equal((await post(settings, 'Content-Type: application/x-www-form-urlencoded\r\n', 'IrLed=1')).status, 415);
  assert.equal((await post(settings, 'Content-Type: multipart/form-data; boundary=x\r\n', '--x--')).status, 415);
  assert.equal((await post(`/api/cameras/${CAM}/restart`, '')).status, 415, 'a body-less POST (no-cors fetch) is refused');
  assert.equal((await post(settings, 'Content-Type: application/json\r\nOrigin: http://attacker.example\r\n', '{"IrLed":1}')).status, 403);
  const forget = (headers: string, body = '') =>
    raw(`DELETE /api/cameras/${CAM} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n${body}`);
  assert.equal((await forget('Content-Type: text/plain\r\nContent-Length: 2\r\n', 'hi')).status, 415, 'a DELETE with a non-JSON body');
  // A body-less DELETE has no type to check (and needs a preflight cross-site); the Origin check still holds.
  assert.equal((await forget('Origin: http://attacker.example\r\n')).status, 403, 'a cross-origin DELETE');
  assert.ok(h.app.registry.get(CAM), 'the camera was not forgotten');
  assert.equal(h.app.registry.get(CAM)?.baseInfo?.IrLed, commandsBefore?.baseInfo?.IrLed, 'no setting changed');
  // The dashboard's own requests (JSON, same origin) still work.
  const ok = await post(settings, `Content-Type: application/json\r\nOrigin: http://127.0.0.1:${h.app.ports.web}\r\n`, '{"instLed":1}');
  assert.equal(ok.status, 200);
});

test('a request body that stalls is cut with 408 after the body timeout; the server keeps serving', async () => {
  const started = Date.now();
  const result = await new Promise<{ status: string; closedAfterMs: number }>((resolve) => {
    const socket = net.connect(h.app.ports.web, '127.0.0.1', () =>
      socket.write(
        `POST /api/cameras/${CAM}/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"IrLed"`,
      ),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve({ status: text.split('\r\n')[0] ?? '', closedAfterMs: Date.now() - started }));
    socket.on('error', () => undefined);
  });
  assert.match(result.status, /^HTTP\/1\.1 408/);
  assert.ok(result.closedAfterMs < 5000 + 5000, `closed after ${result.closedAfterMs} ms`);
  assert.equal((await raw(`GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)).status, 200);
});

test('the dashboard gets the LAN media URLs with the key, ready to paste; the key file persists', async () => {
  const key = mediaKey();
  assert.match(key, /^[0-9a-f]{32}$/);
  const info = (await (await fetch(`http://127.0.0.1:${h.app.ports.web}/api/info`)).json()) as { mediaKey?: string };
  assert.equal(info.mediaKey, key);
  const cameras = (await (await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras`)).json()) as Array<{
    id: string;
    urls?: Record<string, string>;
  }>;
  const urls = cameras.find((c) => c.id === CAM)?.urls;
  assert.equal(urls?.['stream'], `http://127.0.0.1:${h.app.ports.web}/api/cameras/${CAM}/stream?key=${key}`);
  assert.equal(urls?.['snapshot'], `http://127.0.0.1:${h.app.ports.web}/api/cameras/${CAM}/snapshot?key=${key}`);
  await h.restart();
  assert.equal(mediaKey(), key, 'the same key after a restart');
  const camera = h.camera(CAM, { frames: taggedFrames(CAM), fps: 10 });
  await camera.start();
  await waitFor(() => h.app.registry.get(CAM)?.online === true, 'camera online again');
});

test("ingress as Home Assistant forwards it: the browser's own Host and Origin (any name, e.g. Nabu Casa) pass; the same request from a LAN address does not", async () => {
  const app = await serveWebAppAsPeer(h, { lanMedia: true, mediaKey: mediaKey() });
  // What HA core and the Supervisor send on (both copy the browser's headers, Host included).
  const browser = 'abcdef0123456789.ui.nabu.casa';
  const asForwarded = {
    host: browser,
    headers: {
      origin: `https://${browser}`,
      'x-hass-source': 'core.ingress',
      'x-ingress-path': '/api/hassio_ingress/0123456789abcdef',
      'x-forwarded-for': '203.0.113.7, 172.30.32.1',
      'x-forwarded-host': browser,
      'x-forwarded-proto': 'https',
    },
  };
  try {
    assert.equal(await app.status('172.30.32.2', '/', asForwarded), 200, 'the dashboard');
    assert.equal(await app.status('172.30.32.2', '/api/cameras', asForwarded), 200, 'the API');
    const rename = { ...asForwarded, method: 'PUT', body: '{"name":"Porch"}' };
    assert.equal(await app.status('172.30.32.2', `/api/cameras/${CAM}/name`, rename), 200, 'a change, with the foreign Origin');
    assert.equal(h.app.registry.get(CAM)?.name, 'Porch');
    assert.equal(await app.status('192.168.1.50', '/api/cameras', asForwarded), 403, 'not ingress: refused');
    assert.equal(await app.status('127.0.0.1', '/api/cameras', asForwarded), 403, 'this host under a foreign name: DNS rebinding, refused');
  } finally {
    await app.status('172.30.32.2', `/api/cameras/${CAM}/name`, { method: 'PUT', body: '{"name":null}' });
    await app.close();
  }
});

test('LAN clients: media without the key or with a wrong one is 403; with the key it is a plain URL that works; lan_media off closes it', async () => {
  const key = mediaKey();
  const on = await serveWebAppAsPeer(h, { lanMedia: true, mediaKey: key });
  const off = await serveWebAppAsPeer(h, { lanMedia: false, mediaKey: key });
  // As a LAN client that reached the add-on by its IP address, unless a test says otherwise.
  const lanHost = { host: `${PEER_APP_HOST}:1234` };
  try {
    const snapshot = `/api/cameras/${CAM}/snapshot`;
    assert.equal(await on.status('192.168.1.50', snapshot, lanHost), 403, 'no key');
    assert.equal(await on.status('192.168.1.50', `${snapshot}?key=${'0'.repeat(32)}`, lanHost), 403, 'wrong key');
    assert.equal(await on.status('192.168.1.50', `${snapshot}?key=${key.slice(0, 31)}`, lanHost), 403, 'truncated key');
    assert.equal(await on.status('192.168.1.50', `${snapshot}?key=${key}`, lanHost), 200, 'the keyed URL works');
    assert.equal(
      await on.status('192.168.1.50', `${snapshot}?key=${key}`, { host: 'homeassistant.my.lan:1234' }),
      200,
      'whatever name the client uses for this host',
    );
    assert.equal(await on.status('192.168.1.50', `/api/cameras?key=${key}`, lanHost), 403, 'the key opens media only');
    assert.equal(await on.status('172.30.32.2', snapshot, { host: 'ha.example.com' }), 200, 'ingress needs no key');
    assert.equal(await off.status('192.168.1.50', `${snapshot}?key=${key}`, lanHost), 403, 'lan_media off: closed, key or not');
    assert.ok(h.log.find(/LAN media URL without the right key/), 'a log line says a LAN media URL lacked the right key');
  } finally {
    await on.close();
    await off.close();
  }
});
