/**
 * The dashboard's event stream (`GET /api/events`) follows typed events only: each kind of
 * registry change and the media hub's `frame` event. Nothing polls: without a change or a frame
 * it stays silent until its refresh interval, and a burst of frames is one message.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Koa from 'koa';
import { CAMERA_CHANGE_EVENTS, CameraRegistry } from '../../src/camera/registry.js';
import type { CameraControl } from '../../src/camera/control.js';
import { MediaHub } from '../../src/media/media-hub.js';
import { createApiRouter } from '../../src/web/api-routes.js';
import { captureLog } from '../support/log-capture.js';

const FRAME_UPDATE_MS = 150;
const log = captureLog();
const registry = new CameraRegistry();
const hub = new MediaHub({
  openStream: () => Promise.resolve(),
  closeStream: () => Promise.resolve(),
  isOnline: (id) => registry.get(id)?.online === true,
  logger: log.logger,
});
const control: CameraControl = { sendSetting: () => Promise.reject(new Error('not used here')) };
let server: http.Server;
let port = 0;

before(async () => {
  const app = new Koa();
  // A client closing its stream is the normal end here; Koa would print each as an error.
  app.silent = true;
  const router = createApiRouter({
    registry,
    control,
    frames: hub,
    logger: log.logger,
    version: 'test',
    lan: { host: '127.0.0.1', webPort: () => port, lanMedia: false, mediaKey: 'k' },
    // Far away: any message within a test is caused by an event, not by the refresh.
    eventRefreshMs: 600_000,
    frameUpdateMs: FRAME_UPDATE_MS,
  });
  app.use(router.routes());
  server = app.listen({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await hub.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface CameraListMessage {
  readonly id: string;
  readonly name?: string;
  readonly state: string;
  readonly frame?: { readonly seq: number };
}

/** An open event stream: every `cameras` message it received so far, parsed. */
class EventStream {
  readonly messages: CameraListMessage[][] = [];
  private buffer = '';
  private constructor(readonly request: http.ClientRequest) {}

  static open(): Promise<EventStream> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/events' }, (response) => {
        const stream = new EventStream(request);
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => stream.take(chunk));
        response.on('error', () => undefined);
        response.once('data', () => resolve(stream));
      });
      request.on('error', reject);
    });
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = /^event: cameras\ndata: (.*)$/s.exec(block);
      assert.ok(data, `an event-stream message, got ${JSON.stringify(block)}`);
      this.messages.push(JSON.parse(data[1] as string) as CameraListMessage[]);
    }
  }

  async next(count: number, what: string): Promise<CameraListMessage[]> {
    const deadline = Date.now() + 10_000;
    while (this.messages.length < count) {
      assert.ok(Date.now() < deadline, `no message for ${what} (have ${this.messages.length}, want ${count})`);
      await sleep(10);
    }
    return this.messages[count - 1] as CameraListMessage[];
  }

  close(): void {
    this.request.destroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);

test('each kind of registry change is one message with the new list', async () => {
  const stream = await EventStream.open();
  assert.equal(stream.messages.length, 1, 'the current list on open');
  registry.markOnline('0800c0E10001', '127.0.0.1', true);
  assert.equal((await stream.next(2, 'online')).find((c) => c.id === '0800c0E10001')?.state, 'registered');
  registry.setState('0800c0E10001', 'command');
  assert.equal((await stream.next(3, 'state')).find((c) => c.id === '0800c0E10001')?.state, 'command');
  registry.rename('0800c0E10001', 'Porch');
  assert.equal((await stream.next(4, 'name')).find((c) => c.id === '0800c0E10001')?.name, 'Porch');
  registry.mergeBaseInfo('0800c0E10001', { IrLed: 1 });
  await stream.next(5, 'settings');
  registry.changeMotionSettings('0800c0E10001', { enabled: true });
  await stream.next(6, 'motion settings');
  registry.setMotionDetected('0800c0E10001', true, Date.now());
  await stream.next(7, 'motion');
  registry.remove('0800c0E10001');
  assert.equal((await stream.next(8, 'removed')).length, 0);
  stream.close();
});

test('a burst of changes becomes one message', async () => {
  const stream = await EventStream.open();
  for (let i = 0; i < 20; i++) registry.markOnline(`0800c0E200${String(i).padStart(2, '0')}`, `127.0.0.${i + 1}`, true);
  assert.equal((await stream.next(2, 'the burst')).length, 20);
  await sleep(300);
  assert.equal(stream.messages.length, 2, 'one message for twenty cameras');
  for (let i = 0; i < 20; i++) registry.remove(`0800c0E200${String(i).padStart(2, '0')}`);
  stream.close();
});

test('new frames reach the stream through the hub event, throttled; without frames the stream is silent', async () => {
  const id = '0800c0E30001';
  registry.markOnline(id, '127.0.0.1', true);
  const stream = await EventStream.open();
  await sleep(FRAME_UPDATE_MS * 3);
  assert.equal(stream.messages.length, 1, 'no change, no frame: nothing sent (no polling)');

  for (let i = 0; i < 10; i++) hub.pushFrame(id, JPEG);
  const list = await stream.next(2, 'the frames');
  assert.equal(list.find((c) => c.id === id)?.frame?.seq, 10, 'the list carries the latest frame of the burst');
  await sleep(FRAME_UPDATE_MS * 3);
  assert.equal(stream.messages.length, 2, 'ten frames within the throttle: one message');

  const started = Date.now();
  hub.pushFrame(id, JPEG);
  assert.equal((await stream.next(3, 'a later frame')).find((c) => c.id === id)?.frame?.seq, 11);
  assert.ok(Date.now() - started >= FRAME_UPDATE_MS - 20, 'a frame waits for the throttle, it does not send at once');
  registry.remove(id);
  stream.close();
});

/** Waits until no event stream listens (a closed one cleans up when its socket's close arrives). */
async function noListenersLeft(): Promise<void> {
  const deadline = Date.now() + 10_000;
  const left = (): number =>
    hub.listenerCount('frame') +
    registry.listenerCount('removed') +
    CAMERA_CHANGE_EVENTS.reduce((n, e) => n + registry.listenerCount(e), 0);
  while (left() > 0) {
    assert.ok(Date.now() < deadline, `${left()} listeners left after the streams closed`);
    await sleep(10);
  }
}

test('a closed stream leaves no listener on the registry or the hub', async () => {
  await noListenersLeft();
  const streams = await Promise.all([EventStream.open(), EventStream.open(), EventStream.open()]);
  for (const event of [...CAMERA_CHANGE_EVENTS, 'removed'] as const) assert.equal(registry.listenerCount(event), 3, event);
  assert.equal(hub.listenerCount('frame'), 3);
  for (const stream of streams) stream.close();
  await noListenersLeft();
});
