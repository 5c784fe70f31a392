/**
 * POST /api/pairing-helper on the running server: the filled-in a9-pair.py as a download, every
 * bad body a 400 with the reason, and the attacker's cases (oversized or stalled bodies, forms,
 * LAN peers, a Wi-Fi password in the log).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startHarness, type Harness } from '../support/app-harness.js';
import { HELPER_FILE } from '../support/python-helper.js';
import { serveWebAppAsPeer } from '../support/web-app-as-peer.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

const template = readFileSync(HELPER_FILE, 'utf8');

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`http://127.0.0.1:${h.app.ports.web}/api/pairing-helper`, { method: 'POST', headers, body });

test('a valid request downloads a9-pair.py with the values filled in, not cached', async () => {
  const response = await post(JSON.stringify({ ssid: 'Home "5"', password: 'secret\\pass' }));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-disposition'), 'attachment; filename="a9-pair.py"');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('content-type'), 'text/x-python; charset=utf-8');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  const text = await response.text();
  assert.equal(
    text,
    template
      .replace('PRESET_SSID = None', 'PRESET_SSID = "Home \\"5\\""')
      .replace('PRESET_PASSWORD = None', 'PRESET_PASSWORD = "secret\\\\pass"'),
  );
  assert.ok(h.log.find(/^pairing helper downloaded for the Wi-Fi network "Home \\"5\\""$/), 'one log line names the network');
  const logged = h.log.lines.map((line) => JSON.stringify(line)).join('\n');
  assert.ok(!logged.includes('secret'), 'the password never reaches the log');
});

test('bad bodies are 400 with a reason the dialog can show', async () => {
  const cases: [string, RegExp][] = [
    ['{}', /send \{"ssid": "<Wi-Fi name>", "password": "<Wi-Fi password>"\} as strings/],
    ['{"ssid":"Home","password":12345678}', /as strings/],
    ['{"ssid":"","password":"12345678"}', /the Wi-Fi name is empty/],
    [JSON.stringify({ ssid: 'x'.repeat(33), password: '12345678' }), /33 bytes long; a Wi-Fi name has at most 32 bytes/],
    ['{"ssid":"Home","password":"short"}', /the Wi-Fi password has 5 characters; the camera needs 8 to 36/],
    [JSON.stringify({ ssid: 'Home', password: 'x'.repeat(37) }), /37 characters/],
    ['{"ssid":"Home","password":"12345678\\ud800"}', /the Wi-Fi password is not valid text/],
    ['[1,2]', /request body must be a JSON object/],
    ['{"ssid":', /request body is not JSON/],
  ];
  for (const [body, reason] of cases) {
    const response = await post(body);
    assert.equal(response.status, 400, body);
    assert.equal(response.headers.get('content-disposition'), null, `${body}: no download`);
    const answer = (await response.json()) as { error: string };
    assert.match(answer.error, reason, body);
  }
});

test('attacker: an oversized body is cut at 1 KiB, a form post is refused, GET is not a download', async () => {
  const big = await post(JSON.stringify({ ssid: 'Home', password: '12345678', padding: 'x'.repeat(5000) }));
  assert.equal(big.status, 400);
  assert.match(((await big.json()) as { error: string }).error, /request body larger than 1024 bytes/);
  const form = await post('ssid=Home&password=12345678', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415, 'a cross-site form cannot fetch a file with the Wi-Fi password');
  const get = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/pairing-helper`);
  assert.equal(get.status, 405);
});

test('attacker: a stalled body is cut by the body timeout instead of holding the connection', async () => {
  const socket = net.connect({ host: '127.0.0.1', port: h.app.ports.web });
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  socket.write(
    `POST /api/pairing-helper HTTP/1.1\r\nHost: 127.0.0.1:${h.app.ports.web}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"ssid":`,
  );
  const text = await answer;
  assert.match(text, /^HTTP\/1\.1 408 /, 'answered 408 and closed');
});

test('only this host and Home Assistant ingress get a helper: a LAN peer is refused', async () => {
  const app = await serveWebAppAsPeer(h, { lanMedia: true, mediaKey: 'k'.repeat(32) });
  try {
    const body = JSON.stringify({ ssid: 'Home', password: '12345678' });
    assert.equal(await app.status('192.168.1.77', '/api/pairing-helper', { method: 'POST', body }), 403, 'LAN peer');
    assert.equal(await app.status('172.30.32.2', '/api/pairing-helper', { method: 'POST', body }), 200, 'ingress');
  } finally {
    await app.close();
  }
});
