/**
 * The live-response lifecycle (MJPEG and WAV) on plain streams with a stand-in media source:
 * exact bytes on the wire, how each way of ending leaves the client stream, and the bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { AudioFormat } from '../../src/camera/media-sink.js';
import type { EndListener, LatestFrame, MediaSubscription, StreamEndReason } from '../../src/media/media-hub.js';
import { encodeMjpegPart, mjpegContentType, streamMjpeg, type MjpegSource } from '../../src/media/mjpeg.js';
import { streamWav, type AudioSource } from '../../src/media/wav-stream.js';
import { alawWavHeader, pcmWavHeader } from '../../src/media/wav.js';
import { captureLog } from '../support/log-capture.js';
import { within } from '../support/within.js';

const T0 = 1_800_000_000_000; // timestamps far from zero: an `a - b` turned into `a + b` shows

/** A media source that hands its listeners to the test. */
function standIn(latest?: LatestFrame) {
  let deliver: ((data: Buffer, format: AudioFormat) => void) | undefined;
  let end: EndListener | undefined;
  let unsubscribed = 0;
  const subscribe = (onData: (data: Buffer, format: AudioFormat) => void, onEnd?: EndListener): MediaSubscription => {
    deliver = onData;
    end = onEnd;
    return { unsubscribe: () => void unsubscribed++ };
  };
  const video: MjpegSource = {
    subscribeVideo: (_id, onFrame, onEnd) => subscribe((jpeg) => onFrame(jpeg, T0), onEnd),
    latestFrame: () => latest,
  };
  const audio: AudioSource = { subscribeAudio: (_id, onChunk, onEnd) => subscribe(onChunk, onEnd) };
  return {
    video,
    audio,
    push: (data: Buffer, format: AudioFormat = 'alaw') => deliver?.(data, format),
    end: (reason: StreamEndReason) => end?.(reason),
    unsubscribed: () => unsubscribed,
  };
}

/** A client stream that keeps what it receives; `stall` keeps its writes from completing. */
function client(options: { stall?: boolean; highWaterMark?: number } = {}) {
  const chunks: Buffer[] = [];
  const out = new Writable({
    highWaterMark: options.highWaterMark ?? 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      if (!options.stall) done();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('latin1'), bytes: () => Buffer.concat(chunks) };
}

test('an MJPEG part, byte for byte', () => {
  assert.equal(
    encodeMjpegPart(Buffer.from('JPG'), 'b').toString('latin1'),
    '--b\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n\r\nJPG\r\n',
  );
  assert.equal(
    encodeMjpegPart(Buffer.alloc(0)).toString('latin1'),
    '--a9v720-frame\r\nContent-Type: image/jpeg\r\nContent-Length: 0\r\n\r\n\r\n',
  );
  assert.equal(mjpegContentType(), 'multipart/x-mixed-replace; boundary=a9v720-frame');
  assert.equal(mjpegContentType('xyz'), 'multipart/x-mixed-replace; boundary=xyz');
});

test('a server-side close ends the MJPEG stream with exactly the closing boundary, once', async () => {
  const source = standIn();
  const log = captureLog();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA', { boundary: 'b', logger: log.logger });
  source.push(Buffer.from('JPG'));
  stream.close();
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'hub-closed');
  assert.equal(text(), '--b\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n\r\nJPG\r\n--b--\r\n');
  assert.equal(out.writableEnded, true);
  assert.equal(source.unsubscribed(), 1);
  assert.equal(out.listenerCount('close'), 0, 'no listener is left on the client stream');
  assert.equal(out.listenerCount('error'), 0);
  stream.close();
  source.end('offline');
  assert.equal(source.unsubscribed(), 1, 'ending twice is a no-op');
  const finished = log.lines.filter((line) => /finished/.test(line.msg));
  assert.deepEqual(
    finished.map(({ msg, reason, partsWritten, partsDropped }) => ({ msg, reason, partsWritten, partsDropped })),
    [{ msg: 'MJPEG viewer of camera camA finished (hub-closed)', reason: 'hub-closed', partsWritten: 1, partsDropped: 0 }],
  );
  assert.deepEqual(stream.stats, { partsWritten: 1, partsDropped: 0, pendingParts: 0, pendingBytes: 0 });
});

test('the default boundary is used for parts and for the closing line', async () => {
  const source = standIn();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA');
  source.push(Buffer.from('J'));
  source.end('offline');
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'offline');
  assert.equal(text(), '--a9v720-frame\r\nContent-Type: image/jpeg\r\nContent-Length: 1\r\n\r\nJ\r\n--a9v720-frame--\r\n');
});

test('a client that leaves gets nothing more and is reported as client-closed', async () => {
  const source = standIn();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA', { boundary: 'b' });
  source.push(Buffer.from('1'));
  out.destroy();
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'client-closed');
  source.push(Buffer.from('2'));
  assert.equal(source.unsubscribed(), 1);
  assert.equal(text(), '--b\r\nContent-Type: image/jpeg\r\nContent-Length: 1\r\n\r\n1\r\n');
});

test("an 'error' on the client stream counts as leaving: no closing boundary is written", async () => {
  const source = standIn();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA', { boundary: 'b' });
  out.emit('error', new Error('ECONNRESET'));
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'client-closed');
  assert.equal(out.writableEnded, false);
  assert.equal(text(), '');
  assert.equal(out.listenerCount('error'), 0);
});

test('a stream the caller already ended is not ended again when the hub closes', async () => {
  const source = standIn();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA', { boundary: 'b' });
  out.end();
  stream.close(); // before the client stream's own 'close' arrives
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'hub-closed');
  assert.equal(text(), '');
});

test('a destroyed client stream is not written to when the hub closes', async () => {
  const source = standIn();
  const { out, text } = client();
  const stream = streamMjpeg(out, source.video, 'camA', { boundary: 'b' });
  out.destroy();
  stream.close();
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'hub-closed');
  assert.equal(text(), '');
});

test('a new viewer gets the latest frame at once only if it is at most initialFrameMaxAgeMs old', async () => {
  const jpeg = Buffer.from('LATEST');
  const cases: [options: { initialFrameMaxAgeMs?: number }, age: number, sent: boolean][] = [
    [{}, 2000, true],
    [{}, 2001, false],
    [{ initialFrameMaxAgeMs: 50 }, 50, true],
    [{ initialFrameMaxAgeMs: 50 }, 51, false],
  ];
  for (const [options, age, sent] of cases) {
    const { out, text } = client();
    const stream = streamMjpeg(out, standIn({ jpeg, at: T0, seq: 1 }).video, 'camA', { ...options, boundary: 'b', now: () => T0 + age });
    stream.close();
    await within(stream.done, 2000, 'end of the stream');
    const expected = (sent ? encodeMjpegPart(jpeg, 'b').toString('latin1') : '') + '--b--\r\n';
    assert.equal(text(), expected, `age ${age} with ${JSON.stringify(options)}`);
  }
  const { out, text } = client();
  const none = streamMjpeg(out, standIn(undefined).video, 'camA', { boundary: 'b', now: () => T0 });
  none.close();
  await within(none.done, 2000, 'end of the stream');
  assert.equal(text(), '--b--\r\n');
});

test('WAV (A-law): the header with the first samples, then the samples as they come; the hub ending it ends the response', async () => {
  const source = standIn();
  const log = captureLog();
  const { out, bytes } = client();
  const stream = streamWav(out, source.audio, 'camA', { logger: log.logger });
  assert.equal(bytes().length, 0, 'nothing before the first samples: their format picks the header');
  source.push(Buffer.from([0xd5, 0x55]));
  source.push(Buffer.from([0x2a]));
  source.end('offline');
  assert.equal(await within(stream.done, 2000, 'end of the stream'), 'offline');
  assert.deepEqual(bytes(), Buffer.concat([alawWavHeader(), Buffer.from([0xd5, 0x55, 0x2a])]));
  assert.equal(out.writableEnded, true);
  assert.ok(log.find(/^WAV listener of camera camA finished \(offline\)$/), 'the end of the WAV listener is logged with its reason');
});

test('WAV (PCM): the PCM header; an odd byte waits for the next packet so samples stay aligned', async () => {
  const source = standIn();
  const { out, bytes } = client();
  const stream = streamWav(out, source.audio, 'camA');
  source.push(Buffer.from([1, 2, 3]), 'pcm16');
  assert.deepEqual(bytes(), Buffer.concat([pcmWavHeader(), Buffer.from([1, 2])]));
  source.push(Buffer.from([4, 5]), 'pcm16');
  source.push(Buffer.from([6]), 'pcm16');
  source.push(Buffer.from([7, 8]), 'pcm16');
  stream.close();
  await within(stream.done, 2000, 'end of the stream');
  assert.deepEqual(bytes(), Buffer.concat([pcmWavHeader(), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])]));
});

test('WAV: a listener that does not drain keeps the newest maxPendingMs of audio (16 bytes per ms)', () => {
  const source = standIn();
  const { out } = client({ stall: true, highWaterMark: 1 });
  const stream = streamWav(out, source.audio, 'camA', { maxPendingMs: 1 });
  source.push(Buffer.from('x')); // header + first samples fill the client: audio queues from here
  for (const part of ['aaaaaa', 'bbbbbb', 'cccccc']) source.push(Buffer.from(part));
  assert.deepEqual(stream.stats, { partsWritten: 1, partsDropped: 1, pendingParts: 2, pendingBytes: 12 });
  stream.close();
});

test('WAV: the default bound is 500 ms = 8000 bytes, kept exactly', () => {
  const source = standIn();
  const { out } = client({ stall: true, highWaterMark: 1 });
  const stream = streamWav(out, source.audio, 'camA');
  source.push(Buffer.from('x'));
  for (let i = 0; i < 8; i++) source.push(Buffer.alloc(1000));
  assert.deepEqual(stream.stats, { partsWritten: 1, partsDropped: 0, pendingParts: 8, pendingBytes: 8000 });
  source.push(Buffer.alloc(1));
  assert.deepEqual(stream.stats, { partsWritten: 1, partsDropped: 1, pendingParts: 8, pendingBytes: 7001 });
  stream.close();
});
