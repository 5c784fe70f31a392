// Plays a camera's live WAV stream (GET …/audio) through Web Audio: fetch reads the response as
// it arrives, WavStreamDecoder turns it into samples, and each chunk is scheduled right after
// the previous one. See wav-decoder.js for why this is not an <audio> element.
import { WavStreamDecoder } from './wav-decoder.js';

/** Queued ahead of the audio clock: absorbs network jitter (the camera sends 20 packets/s). */
const LEAD_SECONDS = 0.25;
/** More than this queued (a stalled tab catching up) and chunks are dropped to stay live. */
const MAX_QUEUED_SECONDS = 1;

export class LiveAudio {
  /**
   * @param {HTMLElement} statusElement carries the player's state for the page and for tests:
   *   data-state (idle, connecting, playing, suspended, ended, failed), data-format (alaw, pcm16),
   *   data-samples (samples received), data-clock (the audio clock, s, at the last chunk),
   *   data-peak (the loudest sample of the last chunk, 0–1: is the microphone hearing anything?).
   * @param {{ onEnd(reason: string): void }} hooks onEnd: the stream stopped without stop()
   */
  constructor(statusElement, hooks) {
    this.statusElement = statusElement;
    this.hooks = hooks;
    this.session = undefined;
  }

  /** Must run inside the click handler: creating the AudioContext there is the user gesture. */
  start(url) {
    this.stop();
    const context = new AudioContext();
    const session = { context, abort: new AbortController(), nextTime: 0, samples: 0 };
    this.session = session;
    this.report({ state: 'connecting', format: '', samples: '0', clock: '0', peak: '0' });
    // A context created in a click runs at once; resume() covers browsers that start it suspended.
    context.resume().catch(() => {});
    this.pump(session, url).then(
      () => this.finish(session, 'ended', 'The camera ended the audio stream.'),
      (error) => this.finish(session, 'failed', error instanceof Error ? error.message : String(error)),
    );
  }

  stop() {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.abort.abort();
    session.context.close().catch(() => {});
    this.report({ state: 'idle', format: '', samples: '0', clock: '0', peak: '0' });
  }

  async pump(session, url) {
    const response = await fetch(url, { signal: session.abort.signal, cache: 'no-store' });
    if (!response.ok || !response.body) throw new Error(`no audio: ${response.status} ${response.statusText}`.trim());
    const decoder = new WavStreamDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.session !== session) return;
      const channels = decoder.push(value);
      if (channels.length > 0 && channels[0].length > 0) this.schedule(session, decoder.format, channels);
    }
  }

  schedule(session, format, channels) {
    const { context } = session;
    const buffer = context.createBuffer(channels.length, channels[0].length, format.sampleRate);
    channels.forEach((samples, channel) => buffer.copyToChannel(samples, channel));
    const now = context.currentTime;
    // Behind the clock (first chunk, or the network stalled): restart the queue LEAD ahead.
    if (session.nextTime < now) session.nextTime = now + LEAD_SECONDS;
    session.samples += buffer.length;
    if (session.nextTime - now <= MAX_QUEUED_SECONDS) {
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(context.destination);
      source.start(session.nextTime);
      session.nextTime += buffer.duration;
    }
    this.report({
      // Suspended: the browser refused to start audio (no user gesture); nothing is heard.
      state: context.state === 'running' ? 'playing' : 'suspended',
      format: format.tag === 1 ? 'pcm16' : 'alaw',
      samples: String(session.samples),
      clock: now.toFixed(3),
      peak: peakOf(channels).toFixed(2),
    });
  }

  finish(session, state, message) {
    if (this.session !== session) return; // stopped on purpose
    this.session = undefined;
    // A stream that could not be decoded is still open: end it, or the camera keeps sending.
    session.abort.abort();
    session.context.close().catch(() => {});
    this.report({ state });
    this.hooks.onEnd(message);
  }

  report(fields) {
    Object.assign(this.statusElement.dataset, fields);
  }
}

function peakOf(channels) {
  let peak = 0;
  for (const samples of channels) for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
  return peak;
}
