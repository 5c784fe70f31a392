import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaHub } from '../../src/media/media-hub.js';
import {
  boundaryFromContentType,
  encodeMjpegPart,
  MjpegPartParser,
  streamMjpeg,
  type MjpegEndReason,
  type MjpegStream,
} from '../../src/media/mjpeg.js';
import { streamWav } from '../../src/media/wav-stream.js';
import { alawWavHeader, pcmWavHeader } from '../../src/media/wav.js';
import { CameraUnavailableError } from '../../src/camera/control.js';
import { loadFrameSet } from '../../src/simulator/frame-library.js';
import { captureLog } from '../support/log-capture.js';
import { within } from '../support/within.js';

interface Server {
  url: string;
  hub: MediaHub;
  online: Set<string>;
  streams: { res: http.ServerResponse; stream: MjpegStream }[];
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const online = new Set(['camA']);
  const hub = new MediaHub({
    openStream: async () => {},
    closeStream: async () => {},
    isOnline: (id) => online.has(id),
    logger: captureLog().logger,
    lingerMs: 10,
  });
  const streams: Server['streams'] = [];
  const server = http.createServer((req, res) => {
    const id = req.url?.slice(1).split('/')[0] ?? '';
    try {
      if (req.url?.endsWith('/audio')) streamWav(res, hub, id);
      else streams.push({ res, stream: streamMjpeg(res, hub, id) });
    } catch (error) {
      res.writeHead(error instanceof CameraUnavailableError ? 503 : 500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hub,
    online,
    streams,
    close: async () => {
      await hub.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Client {
  res: http.IncomingMessage;
  frames: Buffer[];
  ended: Promise<void>;
}

function connect(url: string): Promise<Client> {
  return within(
    new Promise((resolve, reject) => {
      http
        .get(url, (res) => {
          const boundary = boundaryFromContentType(res.headers['content-type'] ?? '');
          const frames: Buffer[] = [];
          const parser = boundary ? new MjpegPartParser(boundary) : undefined;
          res.on('data', (chunk: Buffer) => frames.push(...(parser?.push(chunk) ?? [])));
          const ended = new Promise<void>((done) => res.on('end', done).on('close', done));
          resolve({ res, frames, ended });
        })
        .on('error', reject);
    }),
    3000,
    `response from ${url}`,
  );
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test('the multipart parser reads back encoded parts fed byte by byte', () => {
  const parts = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('--b\r\nnot a boundary line')];
  const body = Buffer.concat([...parts.map((p) => encodeMjpegPart(p, 'b')), Buffer.from('--b--\r\n')]);
  const parser = new MjpegPartParser('b');
  const out: Buffer[] = [];
  for (const byte of body) out.push(...parser.push(Buffer.from([byte])));
  assert.deepEqual(out, parts);
  assert.ok(parser.ended, 'the closing boundary ends the parser');
});

test('two HTTP viewers receive every pushed frame in order, as exact JPEG parts', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const frames = loadFrameSet('blue');
  const a = await connect(`${server.url}/camA`);
  const b = await connect(`${server.url}/camA`);
  assert.equal(a.res.statusCode, 200);
  assert.equal(a.res.headers['content-type'], 'multipart/x-mixed-replace; boundary=a9v720-frame');
  assert.equal(a.res.headers['cache-control'], 'no-cache, no-store, must-revalidate');
  assert.equal(a.res.headers['pragma'], 'no-cache');
  assert.equal(a.res.headers['connection'], 'close');
  assert.equal(server.hub.stats('camA').videoConsumers, 2);
  for (const frame of frames) {
    server.hub.pushFrame('camA', frame);
    await sleep(2);
  }
  await until(() => a.frames.length === frames.length && b.frames.length === frames.length);
  assert.deepEqual(a.frames, frames);
  assert.deepEqual(b.frames, frames);

  // Client leaves → unsubscribed.
  a.res.destroy();
  await until(() => server.hub.stats('camA').videoConsumers === 1);
  // Camera offline → the remaining stream ends cleanly with the closing boundary.
  server.online.delete('camA');
  server.hub.cameraOffline('camA');
  await within(b.ended, 3000, 'end of the response');
  assert.equal(await within(server.streams[1]!.stream.done, 3000, 'end of the stream'), 'offline' satisfies MjpegEndReason);
  assert.equal(b.res.complete, true, 'the response was ended, not cut');
});

test('an offline camera is refused before any multipart header is written', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const res = await within(new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/camZ`, resolve)), 3000, 'response');
  res.resume();
  assert.equal(res.statusCode, 503);
});

test('a paused viewer skips frames with bounded memory and never slows a fast viewer', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const slow = await connect(`${server.url}/camA`);
  slow.res.pause(); // stops reading: its TCP window fills up
  const fast = await connect(`${server.url}/camA`);
  // Big frames so the kernel socket buffers fill up quickly.
  const frameBytes = 256 * 1024;
  const pushed: Buffer[] = [];
  let maxBuffered = 0;
  const slowRes = server.streams[0]!.res;
  for (let i = 0; i < 120; i++) {
    const frame = Buffer.alloc(frameBytes, i % 250);
    frame.writeUInt16BE(0xffd8, 0);
    frame.writeUInt32BE(i, 2);
    frame.writeUInt16BE(0xffd9, frameBytes - 2);
    pushed.push(frame);
    server.hub.pushFrame('camA', frame);
    maxBuffered = Math.max(maxBuffered, slowRes.writableLength);
    await until(() => fast.frames.length === i + 1); // the fast viewer keeps up frame by frame
  }
  assert.deepEqual(fast.frames, pushed, 'the fast viewer got every frame, in order');
  const slowStats = server.streams[0]!.stream.stats;
  assert.ok(slowStats.partsDropped > 0, `the paused viewer skipped frames (${JSON.stringify(slowStats)})`);
  assert.ok(slowStats.pendingParts <= 1, `at most 1 pending part for the paused viewer, got ${slowStats.pendingParts}`);
  assert.ok(maxBuffered <= 2 * (frameBytes + 200), `server-side buffer stayed bounded: ${maxBuffered} bytes`);

  slow.res.resume();
  await until(() => slow.frames.at(-1)?.equals(pushed.at(-1)!) ?? false, 5000);
  const indices = slow.frames.map((f) => f.readUInt32BE(2));
  assert.ok(
    indices.every((v, i) => i === 0 || v > indices[i - 1]!),
    'frames stay in order',
  );
  assert.ok(
    slow.frames.every((f) => f.equals(pushed[f.readUInt32BE(2)]!)),
    'every received frame is intact',
  );
  assert.ok(slow.frames.length < pushed.length, 'the latest frame won over the backlog');
});

test('a new viewer sees the latest fresh frame at once', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const first = await connect(`${server.url}/camA`);
  server.hub.pushFrame('camA', Buffer.from([0xff, 0xd8, 1, 0xff, 0xd9]));
  await until(() => first.frames.length === 1);
  const late = await connect(`${server.url}/camA`);
  await until(() => late.frames.length === 1);
  assert.deepEqual(late.frames[0], Buffer.from([0xff, 0xd8, 1, 0xff, 0xd9]));
});

test('WAV stream: header then live A-law samples; ends when the camera goes offline', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const chunks: Buffer[] = [];
  const res = await within(new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/camA/audio`, resolve)), 3000, 'response');
  res.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => res.on('end', resolve));
  assert.equal(res.headers['content-type'], 'audio/wav');
  assert.equal(res.headers['cache-control'], 'no-cache, no-store');
  assert.equal(res.headers['connection'], 'close');
  await until(() => server.hub.stats('camA').audioConsumers === 1);
  const audio = [Buffer.alloc(320, 0xd5), Buffer.alloc(320, 0x55)];
  // A camera switching to PCM mid-stream ends it instead: see the format-switch test below.
  server.hub.pushAudio('camA', audio[0]!, 'alaw');
  server.hub.pushAudio('camA', audio[1]!, 'alaw');
  await until(() => Buffer.concat(chunks).length === 46 + 640);
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([alawWavHeader(), ...audio]));
  server.hub.cameraOffline('camA');
  await within(ended, 3000, 'end of the response');
});

test('the boundary is read from a Content-Type header, quoted or not', () => {
  assert.equal(boundaryFromContentType('multipart/x-mixed-replace; boundary=a9v720-frame'), 'a9v720-frame');
  assert.equal(boundaryFromContentType('multipart/x-mixed-replace;BOUNDARY="frame 1";charset=x'), 'frame 1');
  assert.equal(boundaryFromContentType('multipart/x-mixed-replace; boundary=abc '), 'abc');
  assert.equal(boundaryFromContentType('image/jpeg'), undefined);
});

test('the multipart parser: Content-Length is trusted only when well-formed, else the next boundary ends the part', () => {
  const body = 'x\r\n--by'; // contains "CRLF--b": only Content-Length can carry it
  const parse = (headers: string): string[] => {
    const parser = new MjpegPartParser('b');
    return parser.push(Buffer.from(`--b\r\n${headers}\r\n\r\n${body}\r\n--b--\r\n`)).map(String);
  };
  assert.deepEqual(parse('Content-Length: 7'), [body]);
  assert.deepEqual(parse('Content-Length:7'), [body]);
  assert.deepEqual(parse('content-length: 7 '), [body]);
  assert.deepEqual(parse('Content-Type: image/jpeg\r\nContent-Length: 7'), [body]);
  assert.deepEqual(parse('Content-Length: 7x'), ['x'], 'a malformed length is ignored');
  assert.deepEqual(parse('X-Content-Length: 7'), ['x'], 'another header ending in Content-Length is not it');
  assert.deepEqual(parse('Content-Type: image/jpeg'), ['x']);
});

test('the multipart parser: a part is returned as soon as its last byte is there, and the end is seen without CRLF', () => {
  const parser = new MjpegPartParser('b');
  assert.deepEqual(parser.push(Buffer.from('--b\r\nContent-Length: 1\r\n\r\nX')).map(String), ['X']);
  assert.deepEqual(parser.push(Buffer.from('\r\n--b\r\n\r\n')), [], 'a part without headers waits for its body');
  assert.deepEqual(parser.push(Buffer.from('no-length\r\n--b')).map(String), ['no-length']);
  assert.equal(parser.ended, false);
  assert.deepEqual(parser.push(Buffer.from('--')), []);
  assert.equal(parser.ended, true);
  assert.deepEqual(parser.push(encodeMjpegPart(Buffer.from('after the end'), 'b')), [], 'nothing after the closing boundary');
});

test('the multipart parser refuses a body that does not start with the boundary', () => {
  assert.throws(() => new MjpegPartParser('b').push(Buffer.from('\r\n--c\r\nContent-Length: 1\r\n\r\nX')), /expected boundary at byte 2/);
});

test('WAV stream of a PCM camera (cmd 6): PCM header, then the samples aligned to whole 16-bit samples', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const chunks: Buffer[] = [];
  const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/camA/audio`, resolve));
  res.on('data', (c: Buffer) => chunks.push(c));
  assert.equal(res.headers['content-type'], 'audio/wav');
  await until(() => server.hub.stats('camA').audioConsumers === 1);
  // An odd-length packet: its last byte is half a sample and waits for the next packet.
  const pcm = Buffer.from(Array.from({ length: 801 }, (_, i) => i % 256));
  const more = Buffer.from(Array.from({ length: 799 }, (_, i) => (i * 3) % 256));
  server.hub.pushAudio('camA', pcm, 'pcm16');
  await until(() => Buffer.concat(chunks).length === 44 + 800);
  server.hub.pushAudio('camA', more, 'pcm16');
  await until(() => Buffer.concat(chunks).length === 44 + 1600);
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([pcmWavHeader(), pcm, more]));
});

test('WAV stream: a camera switching from A-law to PCM ends the stream (a WAV cannot change format)', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const chunks: Buffer[] = [];
  const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${server.url}/camA/audio`, resolve));
  res.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => res.on('end', resolve));
  await until(() => server.hub.stats('camA').audioConsumers === 1);
  const alaw = Buffer.alloc(400, 0xd5);
  server.hub.pushAudio('camA', alaw, 'alaw');
  server.hub.pushAudio('camA', Buffer.alloc(800, 1), 'pcm16');
  await ended;
  assert.deepEqual(Buffer.concat(chunks), Buffer.concat([alawWavHeader(), alaw]), 'no PCM bytes after the A-law header');
});
