/**
 * The dashboard's Sound toggle in a real browser (Debian's headless Chromium via playwright-core)
 * through the ingress stand-in, against the whole server and two simulated cameras: one sending
 * cmd 4 A-law, one the PCM firmware (cmd 6, profile pcm-202312111512). The browser runs with
 * Chromium's default autoplay policy: the click on Sound is the only user gesture, as for a user.
 *
 * Why the dashboard decodes the WAV itself instead of using <audio src>: see
 * src/web/public/wav-decoder.js (Chromium buffers ~256 KB of a live WAV before it starts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CAMERA_PROFILES } from '../../src/simulator/profiles.js';
import { createAlawTone, createPcmTone } from '../../src/simulator/media-encoder.js';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { wavHeader } from '../../src/media/wav.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { launchChromium } from '../support/chromium.js';
import { startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { taggedFrames } from '../support/media-client.js';

/** Generous: conditions are polled, never waited for by a fixed delay. */
const UI_TIMEOUT_MS = 20_000;
/** The simulators' tone: amplitude 0.25 of full scale. */
const TONE_PEAK = 0.25;

const ALAW = { id: '0800c0A00001', ip: '127.0.0.41' };
const PCM = { id: '0800c0A00002', ip: '127.0.0.42' };

let h: Harness;
let proxy: IngressProxy;
let browser: Browser;
let page: Page;
let alawCamera: SimulatedCamera;
let pcmCamera: SimulatedCamera;
const pageErrors: string[] = [];

before(async () => {
  h = await startHarness();
  proxy = await startIngressProxy({ host: '127.0.0.1', port: h.app.ports.web });
  // No --autoplay-policy flag: audio must start from the click alone.
  browser = await launchChromium();
  alawCamera = h.camera(ALAW.id, { localAddress: ALAW.ip, frames: taggedFrames(ALAW.id), fps: 10, audio: createAlawTone()(8000) });
  pcmCamera = h.camera(PCM.id, {
    ...CAMERA_PROFILES['pcm-202312111512'].behaviour,
    localAddress: PCM.ip,
    frames: taggedFrames(PCM.id),
    fps: 10,
    audio: createPcmTone()(8000),
  });
  await Promise.all([alawCamera.start(), pcmCamera.start()]);
  await waitFor(() => [ALAW, PCM].every(({ id }) => h.app.registry.get(id)?.online === true), 'both cameras online');
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.goto(proxy.url);
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await h?.stop();
});

interface AudioState {
  state: string;
  format: string;
  samples: number;
  clock: number;
  peak: number;
  pressed: string | null;
}

async function audioState(): Promise<AudioState> {
  return page.$eval('#audio-toggle', (button) => {
    const data = (button as HTMLElement).dataset;
    return {
      state: data.state ?? '',
      format: data.format ?? '',
      samples: Number(data.samples ?? 0),
      clock: Number(data.clock ?? 0),
      peak: Number(data.peak ?? 0),
      pressed: button.getAttribute('aria-pressed'),
    };
  });
}

async function openLiveView(id: string): Promise<void> {
  await page.waitForSelector(`article.tile[data-camera-id="${id}"][data-online="true"]`);
  await page.click(`article.tile[data-camera-id="${id}"] .tile-open`);
  await page.waitForSelector(`dialog#viewer[open][data-kind="live"][data-camera-id="${id}"]`);
  await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('#viewer-image')?.naturalWidth ?? 0) > 0);
}

async function closeLiveView(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
}

for (const [label, camera, format] of [
  ['A-law (cmd 4, WAV tag 6)', ALAW, 'alaw'],
  ['PCM (cmd 6, WAV tag 1)', PCM, 'pcm16'],
] as const) {
  test(`Sound plays a ${label} camera: the audio clock runs and the camera's tone arrives`, async () => {
    await openLiveView(camera.id);
    const audioUrl = `${proxy.url}api/cameras/${camera.id}/audio`;
    const audioPath = `/api/cameras/${camera.id}/audio`;
    const audioRequest = page.waitForRequest((request) => request.url() === audioUrl);
    await page.click('#audio-toggle');
    await audioRequest;
    // Chromium allows 6 connections per host over HTTP/1.1: the live view with sound holds 3.
    await waitFor(() => proxy.inFlight().includes(audioPath), 'the audio request reached the server');
    assert.deepEqual(
      proxy.inFlight().sort(),
      [audioPath, '/api/cameras/' + camera.id + '/stream', '/api/events'],
      'requests open with the live view and sound on',
    );

    await page.waitForSelector(`#audio-toggle[aria-pressed="true"][data-state="playing"][data-format="${format}"]`);
    const first = await audioState();
    // One second of samples later, the audio clock (which stands still unless the browser renders
    // audio, e.g. when autoplay is refused) has moved on too.
    await page.waitForFunction(
      (start) => {
        const data = document.querySelector<HTMLElement>('#audio-toggle')!.dataset;
        return Number(data.samples) >= start.samples + 8000 && Number(data.clock) >= start.clock + 1;
      },
      { samples: first.samples, clock: first.clock },
    );
    const later = await audioState();
    assert.equal(later.state, 'playing');
    assert.ok(Math.abs(later.peak - TONE_PEAK) < 0.02, `the tone's level reaches the player: peak ${later.peak}`);

    await page.click('#audio-toggle');
    assert.deepEqual((await audioState()).pressed, 'false');
    assert.equal((await audioState()).state, 'idle');
    await waitFor(() => !proxy.inFlight().includes(audioPath), 'the audio request ended with the toggle');
    await closeLiveView();
  });
}

test('an answer the dashboard cannot play turns Sound off with the reason', async () => {
  await openLiveView(PCM.id);
  const audioUrl = `${proxy.url}api/cameras/${PCM.id}/audio`;
  const mulaw = Buffer.from(
    wavHeader('alaw').map((byte, at) => (at === 20 ? 7 : byte)), // format tag 7: G.711 µ-law
  );
  for (const [answer, reason] of [
    [{ status: 503, contentType: 'application/json', body: '{"error":"camera offline"}' }, /no audio: 503/],
    [{ status: 200, contentType: 'audio/wav', body: mulaw }, /unsupported WAV format: tag 7, 8 bits/],
  ] as const) {
    await page.route(audioUrl, (route) => route.fulfill(answer));
    await page.click('#audio-toggle');
    await page.waitForSelector('#audio-toggle[aria-pressed="false"][data-state="failed"]');
    assert.match((await page.textContent('#viewer-status')) ?? '', reason);
    await page.unroute(audioUrl);
    if (answer.status !== 200) {
      // Chromium logs every failed request itself; this one was asked for.
      const logged = pageErrors.findIndex((line) => line.includes(`status of ${answer.status}`));
      assert.ok(logged >= 0, 'the browser logged the refused request');
      pageErrors.splice(logged, 1);
    }
  }
  await closeLiveView();
});

test('the camera going away while Sound is on turns the toggle off with a message', async () => {
  await openLiveView(ALAW.id);
  await page.click('#audio-toggle');
  await page.waitForSelector('#audio-toggle[data-state="playing"]');
  alawCamera.stop();
  await page.waitForSelector('#audio-toggle[aria-pressed="false"][data-state="ended"]');
  assert.match((await page.textContent('#viewer-status')) ?? '', /ended the audio stream/);
  await closeLiveView();
});

test('no script or console errors', () => {
  assert.deepEqual(pageErrors, []);
});
