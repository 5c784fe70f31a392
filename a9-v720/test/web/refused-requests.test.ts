/**
 * Requests the web port refuses before reading their body (issue 22, item 7): the answer goes
 * out with `Connection: close` and the server closes the socket, so a client that trickles a
 * long body cannot hold a connection open (100 such LAN clients used to hold 100 sockets); and a
 * body-less DELETE, PUT or PATCH has no content type to check. Real sockets on 127.0.0.1 against
 * the real web server (createWebServer); a LAN peer is played by giving the accepted socket a
 * LAN remote address.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import Router from '@koa/router';
import { createWebServer } from '../../src/web/server.js';
import { MediaKey } from '../../src/web/media-key.js';
import { captureLog } from '../support/log-capture.js';
import { within } from '../support/within.js';

const LAN_PEER = '192.168.1.50';
/** Source ports whose connections the server sees as coming from LAN_PEER. */
const lanSourcePorts = new Set<number>();
const log = captureLog('warn');
let server: http.Server;
let port: number;
const deleted: string[] = [];

before(async () => {
  const router = new Router();
  router.delete('/api/things/:id', (ctx) => {
    deleted.push(ctx.params['id'] ?? '');
    ctx.status = 204;
  });
  router.put('/api/things/:id', (ctx) => {
    deleted.push(`put ${ctx.params['id'] ?? ''}`);
    ctx.status = 204;
  });
  router.post('/api/things', (ctx) => {
    ctx.body = { ok: true };
  });
  server = createWebServer({
    lanMedia: true,
    mediaKey: MediaKey.fromValue('0'.repeat(32)),
    ownNames: [],
    logger: log.logger,
    routers: [router],
  });
  // Read when a request arrives, which is after the client named its source port a LAN one.
  server.prependListener('connection', (socket: net.Socket) => {
    const peerPort = socket.remotePort ?? -1;
    const loopback = socket.remoteAddress;
    Object.defineProperty(socket, 'remoteAddress', { get: () => (lanSourcePorts.has(peerPort) ? LAN_PEER : loopback), configurable: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const connections = (): Promise<number> =>
  new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

interface Trickler {
  /** The status line the server answered, once it did. */
  readonly status: Promise<string>;
  /** Milliseconds from the first byte sent until the server closed the connection. */
  readonly closedAfterMs: Promise<number>;
  stop(): void;
}

/**
 * Sends `head` (request line and headers announcing a long body), then one body byte every
 * 50 ms for as long as the connection lasts: a client that never finishes its body.
 */
async function trickle(head: string, options: { lan: boolean }): Promise<Trickler> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (options.lan) lanSourcePorts.add(socket.localPort ?? -1);
  const started = Date.now();
  socket.on('error', () => undefined); // a write after the server closed: expected
  const timer = setInterval(() => {
    if (!socket.destroyed && socket.writable) socket.write('x');
  }, 50);
  let text = '';
  const status = new Promise<string>((resolve) =>
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n')) resolve(text.slice(0, text.indexOf('\r\n')));
    }),
  );
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    }),
  );
  socket.write(head);
  return {
    status,
    closedAfterMs,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

const postHead = (headers: string): string =>
  `POST /api/things HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}Content-Length: 1000000\r\n\r\n{`;

test('refused before the body (LAN 403, foreign Host 403, wrong type 415): answered, then closed within 2 s; no connection left', async () => {
  const kinds = [
    { name: 'LAN client', lan: true, head: postHead('Content-Type: application/json\r\n'), status: /^HTTP\/1\.1 403 / },
    {
      name: 'foreign Host',
      lan: false,
      head: `POST /api/things HTTP/1.1\r\nHost: rebind.attacker.example\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{`,
      status: /^HTTP\/1\.1 403 /,
    },
    { name: 'text/plain POST', lan: false, head: postHead('Content-Type: text/plain\r\n'), status: /^HTTP\/1\.1 415 / },
  ];
  // 30 clients at once, ten of each kind.
  const clients = await Promise.all(
    Array.from({ length: 30 }, async (_, index) => {
      const kind = kinds[index % kinds.length]!;
      return { kind, client: await trickle(kind.head, { lan: kind.lan }) };
    }),
  );
  try {
    for (const { kind, client } of clients) {
      assert.match(await within(client.status, 5000, `the answer to a ${kind.name}`), kind.status, kind.name);
      const closedAfter = await within(client.closedAfterMs, 5000, `close of a ${kind.name}'s connection by the server`);
      assert.ok(closedAfter < 2000, `a ${kind.name}'s connection was closed after ${closedAfter} ms`);
    }
    const deadline = Date.now() + 2000;
    while ((await connections()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(await connections(), 0, 'the server holds no connection of the refused clients');
  } finally {
    for (const { client } of clients) client.stop();
  }
});

test('the refusal carries Connection: close; a request that is served keeps its connection', async () => {
  const exchange = (request: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(request));
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(text.slice(0, text.indexOf('\r\n\r\n')));
        }
      });
      socket.on('error', reject);
    });
  const refused = await within(exchange(`GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n`), 5000, 'a refused GET');
  assert.match(refused, /^HTTP\/1\.1 403 /);
  assert.match(refused, /\r\nConnection: close\r\n/i);
  const served = await within(
    exchange(`POST /api/things HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`),
    5000,
    'a served POST',
  );
  assert.match(served, /^HTTP\/1\.1 200 /);
  assert.match(served, /\r\nConnection: keep-alive\r\n/i);
});

test('a DELETE without a body is not asked for a content type; with a body it must be JSON; a body-less POST still must', async () => {
  const send = (request: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(request));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
  const host = `Host: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  assert.match(await within(send(`DELETE /api/things/a HTTP/1.1\r\n${host}\r\n`), 5000, 'a body-less DELETE'), /^HTTP\/1\.1 204 /);
  assert.match(
    await within(send(`DELETE /api/things/b HTTP/1.1\r\n${host}Content-Length: 0\r\n\r\n`), 5000, 'a DELETE with Content-Length: 0'),
    /^HTTP\/1\.1 204 /,
  );
  assert.match(await within(send(`PUT /api/things/c HTTP/1.1\r\n${host}\r\n`), 5000, 'a body-less PUT'), /^HTTP\/1\.1 204 /);
  assert.deepEqual(deleted, ['a', 'b', 'put c']);
  assert.match(
    await within(
      send(`DELETE /api/things/d HTTP/1.1\r\n${host}Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi`),
      5000,
      'a DELETE with a text body',
    ),
    /^HTTP\/1\.1 415 /,
  );
  assert.match(
    await within(
      send(`DELETE /api/things/e HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
      5000,
      'a chunked DELETE without a type',
    ),
    /^HTTP\/1\.1 415 /,
    'a chunked body is a body',
  );
  assert.match(
    await within(send(`DELETE /api/things/f HTTP/1.1\r\n${host}Origin: http://attacker.example\r\n\r\n`), 5000, 'a cross-origin DELETE'),
    /^HTTP\/1\.1 403 /,
    'the Origin check still applies to body-less requests',
  );
  // A cross-site page can send a body-less POST without a preflight (a no-cors fetch): still JSON only.
  assert.match(
    await within(send(`POST /api/things HTTP/1.1\r\n${host}Content-Length: 0\r\n\r\n`), 5000, 'a body-less POST'),
    /^HTTP\/1\.1 415 /,
  );
  assert.deepEqual(deleted, ['a', 'b', 'put c'], 'nothing refused reached the route');
});
