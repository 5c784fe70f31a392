/** The web port's one error mapping: StatusErrors carry their status, camera errors are mapped here; routes only throw. */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Router from '@koa/router';
import type http from 'node:http';
import { BadRequestError, CameraTimeoutError, CameraUnavailableError } from '../../src/errors.js';
import { createWebServer } from '../../src/web/server.js';
import { captureLog } from '../support/log-capture.js';
import { MediaKey } from '../../src/web/media-key.js';

const log = captureLog();
let server: http.Server;
let base = '';

before(async () => {
  const router = new Router();
  router.get('/api/t/bad', () => {
    throw new BadRequestError('value out of range');
  });
  router.get('/api/t/unknown', () => {
    throw new CameraUnavailableError('CAM1', 'unknown');
  });
  router.get('/api/t/offline', () => Promise.reject(new CameraUnavailableError('CAM1', 'offline')));
  router.get('/api/t/slow', () => {
    throw new CameraTimeoutError('CAM1', 'no echo within 5000 ms', { reason: 'the camera did not answer' });
  });
  router.get('/api/t/bug', () => {
    throw new TypeError('secret internals');
  });
  server = createWebServer({
    lanMedia: true,
    mediaKey: MediaKey.fromValue('0123456789abcdef0123456789abcdef'),
    ownNames: [],
    logger: log.logger,
    routers: [router],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = async (path: string): Promise<{ status: number; body: unknown }> => {
  // From this host, which the access filter lets through like HA's ingress proxy.
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
};

test('a StatusError becomes its status, a camera error the status for what happened, each a JSON error with its details', async () => {
  assert.deepEqual(await get('/api/t/bad'), { status: 400, body: { error: 'value out of range' } });
  assert.deepEqual(await get('/api/t/unknown'), { status: 404, body: { error: 'camera CAM1 is not known' } });
  assert.deepEqual(await get('/api/t/offline'), { status: 503, body: { error: 'camera CAM1 is offline' } });
  assert.deepEqual(await get('/api/t/slow'), {
    status: 504,
    body: { error: 'camera CAM1: no echo within 5000 ms', reason: 'the camera did not answer' },
  });
  assert.ok(log.find(/GET \/api\/t\/slow: camera CAM1: no echo/), 'a camera timeout is logged once');
});

test('any other error is a 500 without its message, logged with the path', async () => {
  assert.deepEqual(await get('/api/t/bug'), { status: 500, body: { error: 'internal error' } });
  const line = log.find(/web request GET \/api\/t\/bug failed: secret internals/);
  assert.ok(line, 'logged');
  assert.equal(line.level, 50);
});
