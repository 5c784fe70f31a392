import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rawBootstrapRequest, rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { startHarness, type Harness } from '../support/app-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

/** The vendor cloud's JSON envelope. */
interface CloudAnswer<T> {
  code: number;
  message: string;
  data: T;
}

const exchange = (request: string) => rawHttpExchange('127.0.0.1', h.app.ports.http, request);

test('the captured getA9ConfCheck request (POST, no body, no Content-Length) gets the cloud answer', async () => {
  const request =
    'POST /app/api/ApiServer/getA9ConfCheck?devicesCode=0800c00128F8&random=OPQRST&token=2d8c8b52f1 HTTP/1.1\r\n' +
    'Host: v720.naxclow.com\r\n' +
    'version: 202212011602\r\n\r\n';
  const answer = await exchange(request);
  assert.equal(answer.status, 200);
  assert.match(answer.headers, /content-type: application\/json/i);
  const body = JSON.parse(answer.body) as CloudAnswer<Record<string, unknown>>;
  assert.equal(body.code, 200);
  assert.equal(body.message, '操作成功');
  assert.equal(body.data['tcpPort'], h.app.ports.tcp);
  assert.equal(body.data['uid'], '0800c00128F8');
  assert.equal(body.data['host'], '127.0.0.1');
  assert.equal(body.data['domain'], 'v720.naxclow.com');
  assert.equal(body.data['isBind'], '8');
  assert.equal(body.data['updateUrl'], null);
  assert.equal(body.data['version'], null);
  assert.match(String(body.data['pwd']), /^[0-9a-f]{8}$/);
  assert.ok(
    Math.abs(Number(body.data['currTime']) - Date.now() / 1000) < 60,
    `currTime within a minute of now, got ${String(body.data['currTime'])}`,
  );
  const camera = h.app.registry.get('0800c00128F8');
  assert.equal(camera?.state, 'bootstrapped');
  assert.equal(camera?.online, false);
  assert.equal(camera?.firmware, '202212011602');
});

test('the pwd is stable for a device and differs between devices', async () => {
  const pwd = async (id: string) =>
    (JSON.parse((await exchange(rawBootstrapRequest(id, '1'))).body) as CloudAnswer<{ pwd: string }>).data.pwd;
  assert.equal(await pwd('0800c0AAAAAA'), await pwd('0800c0AAAAAA'));
  assert.notEqual(await pwd('0800c0AAAAAA'), await pwd('0800c0BBBBBB'));
});

test('registerDevices, confirm, a9bindingAppDevice and getDevInfo answer as the cloud did', async () => {
  const get = async (path: string) => {
    const answer = await exchange(`POST ${path} HTTP/1.1\r\nHost: v720.naxclow.com\r\n\r\n`);
    assert.equal(answer.status, 200, path);
    return JSON.parse(answer.body) as CloudAnswer<unknown>;
  };
  const registered = await get('/app/api/ApiSysDevicesBatch/registerDevices?batch=A9&random=ABC&token=x');
  assert.match(String(registered.data), /^[0-9A-Za-z]{12}$/);
  assert.equal((await get('/app/api/ApiSysDevicesBatch/confirm?devicesCode=0800c00128F8&random=a&token=b')).data, null);
  assert.equal((await get('/app/api/ApiSysDevices/a9bindingAppDevice?devicesCode=0800c00128F8')).data, null);
  const devInfo = await get('/app/api/ApiSysDevices/getDevInfo?devicesCode=56000b00054B&random=a&token=b');
  assert.deepEqual(devInfo.data, { userInfo_state: 1 });
  assert.equal(h.app.registry.get('56000b00054B')?.state, 'mqtt-only');
  assert.ok(h.log.about('56000b00054B', /MQTT-only/), 'MQTT-only firmware is logged clearly');
});

test('an unknown path gets a 404 JSON and one warn line with method, path, query and camera IP', async () => {
  const answer = await exchange('GET /app/api/NewThing/doIt?devicesCode=X1&foo=bar HTTP/1.1\r\nHost: glbs.xcthings.com\r\n\r\n');
  assert.equal(answer.status, 404);
  assert.equal((JSON.parse(answer.body) as CloudAnswer<unknown>).code, 404);
  const line = h.log.find(/unknown HTTP path/);
  assert.ok(line, 'the unknown path is logged');
  assert.match(line.msg, /GET \/app\/api\/NewThing\/doIt\?devicesCode=X1&foo=bar/);
  assert.match(line.msg, /127\.0\.0\.1/);
  assert.match(line.msg, /glbs\.xcthings\.com/);
  assert.equal(line.level, 40);
});

test('garbage on the HTTP port gets a 400 and a log line; the server keeps answering', async () => {
  const answer = await rawHttpExchange('127.0.0.1', h.app.ports.http, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]));
  assert.equal(answer.status, 400);
  assert.ok(h.log.find(/malformed HTTP request on the bootstrap port/), 'the malformed request is logged');
  const ok = await exchange(rawBootstrapRequest('0800c0CCCCCC', '1'));
  assert.equal(ok.status, 200);
});

test('an oversized header block is refused without harming the server', async () => {
  const huge = `GET /app/api/ApiServer/getA9ConfCheck?devicesCode=0800c0DDDDDD HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`;
  const answer = await exchange(huge).catch(() => ({ status: 0 }));
  assert.ok(
    answer.status === 431 || answer.status === 400 || answer.status === 0,
    `refused with 431, 400 or a closed connection, got ${answer.status}`,
  );
  assert.equal((await exchange(rawBootstrapRequest('0800c0EEEEEE', '1'))).status, 200);
});
