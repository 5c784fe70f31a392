/**
 * The dashboard in a real browser (Debian's headless Chromium via playwright-core), served
 * through a stand-in for Home Assistant ingress, against the whole server, a real mosquitto and
 * three simulated cameras on distinct loopback addresses. Screenshots land in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { TEST_TIMING } from '../ha/harness.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { launchChromium } from '../support/chromium.js';
import { startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { PEER_APP_HOST, serveWebAppAsPeer } from '../support/web-app-as-peer.js';
import { taggedFrames } from '../support/media-client.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import type { DeviceDiscoveryPayload } from '../../src/ha/discovery.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Generous: conditions are polled, never waited for by a fixed delay. */
const UI_TIMEOUT_MS = 15_000;

// Sorted by IP (numerically): NEAR, BLANK, FAR; the ids sort differently.
const FAR = { id: '0800c0D00001', ip: '127.0.0.31' };
const NEAR = { id: '0800c0D00002', ip: '127.0.0.5' };
const BLANK = { id: '0800c0D00000', ip: '127.0.0.20' };

let broker: MosquittoBroker;
let ha: MqttRecorder;
let h: Harness;
let proxy: IngressProxy;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let near: SimulatedCamera;
let far: SimulatedCamera;
let blank: SimulatedCamera;
const sentBy = new Map<string, Buffer[]>();
/** Every URL the dashboard pages requested, and what went wrong in them. */
const requested: string[] = [];
const pageErrors: string[] = [];
let mainFrameNavigations = 0;

const tile = (id: string): string => `article.tile[data-camera-id="${id}"]`;
const row = (id: string): string => `tr[data-camera-id="${id}"]`;
const field = (id: string, name: string): string => `${row(id)} [data-field="${name}"]`;
const action = (id: string, name: string): string => `${row(id)} [data-action="${name}"]`;
const side = (name: string): string => `#viewer-controls [data-action="${name}"]`;
const countCode = (camera: SimulatedCamera, code: number): number => camera.commands.filter((c) => c.code === code).length;
const sentFrame = (id: string, jpeg: Buffer): boolean => (sentBy.get(id) ?? []).some((frame) => frame.equals(jpeg));

function watchPage(target: Page): void {
  target.setDefaultTimeout(UI_TIMEOUT_MS);
  target.on('request', (request) => requested.push(request.url()));
  target.on('pageerror', (error) => pageErrors.push(error.message));
  target.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(`console ${message.type()}: ${message.text()}`);
  });
}

/** The tile's picture as the browser decoded it: the bytes of the image URL it shows. */
async function tilePicture(id: string): Promise<{ src: string; seq: string | undefined }> {
  return page.$eval(tile(id), (node) => ({
    src: (node.querySelector('.tile-image') as HTMLImageElement).currentSrc,
    seq: (node as HTMLElement).dataset.seq,
  }));
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  broker = await MosquittoBroker.create();
  h = await startHarness({ mqtt: { url: broker.url } }, { mqttTiming: TEST_TIMING });
  ha = await MqttRecorder.connect(broker.url, ['homeassistant/device/#']);
  await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
  proxy = await startIngressProxy({ host: '127.0.0.1', port: h.app.ports.web });
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  far = h.camera(FAR.id, { localAddress: FAR.ip, frames: taggedFrames(FAR.id), fps: 10, reconnect: false });
  near = h.camera(NEAR.id, { localAddress: NEAR.ip, frames: taggedFrames(NEAR.id), fps: 10 });
  blank = h.camera(BLANK.id, { localAddress: BLANK.ip, frames: taggedFrames(BLANK.id), fps: 10 });
  for (const [id, camera] of [
    [FAR.id, far],
    [NEAR.id, near],
    [BLANK.id, blank],
  ] as const) {
    sentBy.set(id, []);
    camera.on('frameSent', (jpeg) => sentBy.get(id)!.push(jpeg));
  }
  await Promise.all([far.start(), near.start(), blank.start()]);
  await waitFor(() => [FAR, NEAR, BLANK].every(({ id }) => h.app.registry.get(id)?.online === true), 'all cameras online');

  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  watchPage(page);
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) mainFrameNavigations++;
  });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await ha?.close();
  await h?.stop();
  await broker?.dispose();
});

test('the wall loads through the ingress prefix: a tile per camera, sorted by IP, placeholders without opening streams', async () => {
  await page.goto(proxy.url);
  for (const { id } of [NEAR, BLANK, FAR]) await page.waitForSelector(`${tile(id)}[data-online="true"]`);
  assert.deepEqual(await page.$$eval('#tiles article.tile', (tiles) => tiles.map((node) => (node as HTMLElement).dataset.cameraId)), [
    NEAR.id,
    BLANK.id,
    FAR.id,
  ]);
  assert.equal(await page.isHidden('#cameras'), true, 'the grid is the default view');
  for (const { id } of [NEAR, BLANK, FAR]) {
    // Nobody watched yet: no cached frame, a clear placeholder with a snapshot action.
    assert.equal(await page.isVisible(`${tile(id)} .tile-placeholder`), true, id);
    assert.equal(await page.isVisible(`${tile(id)} [data-action="tile-snapshot"]`), true, id);
    assert.equal((await page.textContent(`${tile(id)} [data-field="frame-age"]`))?.trim(), 'No picture yet');
    assert.equal((await page.textContent(`${tile(id)} [data-field="status"]`))?.trim(), 'online');
    assert.equal((await page.textContent(`${tile(id)} [data-field="name"]`))?.trim(), id, 'an unnamed camera shows its id');
  }
  await page.waitForSelector(`${tile(NEAR.id)} [data-field="battery"]:has-text("Battery 87 %")`);
  assert.equal(await page.getAttribute('#summary', 'data-online'), '3');
  assert.equal(await page.getAttribute('#summary', 'data-total'), '3');
  await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live');
  assert.ok(proxy.forwarded.includes('/api/events'), 'server-sent events go through the prefix');
  assert.equal(
    requested.filter((url) => url.includes('/frame') || url.includes('/stream') || url.includes('/snapshot')).length,
    0,
    'no picture requested yet',
  );
  for (const camera of [near, blank, far]) assert.equal(countCode(camera, 3), 0, 'the wall opened no stream');
  // Marks this document: an update that reloads the page would lose it.
  await page.evaluate(() => {
    (window as unknown as { dashboardMarker: string }).dashboardMarker = 'loaded once';
  });
});

test('"Take snapshot" on a tile shows a frame the camera sent; other tiles keep their placeholder', async () => {
  for (const { id } of [NEAR, FAR]) {
    const snapshot = page.waitForResponse((response) => response.url().includes(`/api/cameras/${id}/snapshot`));
    await page.click(`${tile(id)} [data-action="tile-snapshot"]`);
    const response = await snapshot;
    assert.equal(response.status(), 200);
    assert.ok(response.url().startsWith(`${proxy.url}api/cameras/${id}/snapshot`), response.url());
    assert.ok(sentFrame(id, await response.body()), 'the snapshot is one of the frames the camera sent, byte for byte');
    await page.waitForSelector(`${tile(id)}[data-picture="true"] .tile-image:not([hidden])`);
    // Then the list reports the cached frame, and the tile shows it from the cache.
    await page.waitForFunction((selector) => /^\d+$/.test(document.querySelector<HTMLElement>(selector)?.dataset.seq ?? ''), tile(id));
    await page.waitForSelector(`${tile(id)} [data-field="frame-age"]:has-text("Picture")`);
    assert.equal(await page.isHidden(`${tile(id)} .tile-placeholder`), true);
  }
  const { src } = await tilePicture(NEAR.id);
  assert.ok(src.startsWith(`${proxy.url}api/cameras/${NEAR.id}/frame?seq=`), src);
  const cached = await fetch(src);
  assert.ok(sentFrame(NEAR.id, Buffer.from(await cached.arrayBuffer())), 'the tile shows a frame the camera sent');
  assert.equal(await page.isVisible(`${tile(BLANK.id)} .tile-placeholder`), true, 'a camera without a frame keeps its placeholder');
  assert.equal(await page.getAttribute(`${tile(BLANK.id)}`, 'data-picture'), null);
  assert.equal(countCode(blank, 3), 0);
});

test('a tile follows new frames while someone else watches that camera, without opening a stream itself', async () => {
  await waitFor(() => !near.isStreaming, 'snapshot stream closed');
  const opensBefore = countCode(near, 3);
  const first = (await tilePicture(NEAR.id)).seq;
  // Another viewer (go2rtc, HA) watches the MJPEG stream directly.
  const viewer = new AbortController();
  const stream = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras/${NEAR.id}/stream`, { signal: viewer.signal });
  const reader = stream.body!.getReader();
  const drain = (async () => {
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch {
      // aborted
    }
  })();
  const framesOf = (id: string): number => requested.filter((url) => url.startsWith(`${proxy.url}api/cameras/${id}/frame?`)).length;
  // FAR's snapshot stream has closed and its tile shows its last cached frame: nothing new for it.
  await waitFor(() => !far.isStreaming, 'the far camera idle');
  const farSeq = String(h.app.media.latestFrame(FAR.id)?.seq);
  const farTile = tile(FAR.id);
  await page.waitForFunction(
    ({ selector, seq }: { selector: string; seq: string }) => document.querySelector<HTMLElement>(selector)?.dataset.seq === seq,
    { selector: farTile, seq: farSeq },
  );
  const stillFar = framesOf(FAR.id);
  const seen = new Set<string>();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while (seen.size < 2) {
    assert.ok(Date.now() < deadline, `the tile did not follow the stream (saw ${[...seen].join(', ')})`);
    const { seq } = await tilePicture(NEAR.id);
    if (seq !== undefined && seq !== first) seen.add(seq);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(countCode(near, 3), opensBefore + 1, 'only the other viewer opened the stream');
  assert.equal(framesOf(FAR.id), stillFar, 'tiles of cameras without new frames were not reloaded');
  await page.waitForSelector(`${tile(NEAR.id)} [data-field="streaming"]:not([hidden])`);
  viewer.abort();
  await drain;
  await waitFor(() => !near.isStreaming, 'the stream closed after the viewer left');
  await page.waitForSelector(`${tile(NEAR.id)} [data-field="streaming"]`, { state: 'hidden' });
});

test('keyboard: Enter on a focused tile opens the live view (MJPEG via the prefix, controls beside it); Escape closes it', async () => {
  await waitFor(() => !near.isStreaming && countCode(near, 0) === countCode(near, 3), 'idle camera');
  const opened = countCode(near, 3);
  const closed = countCode(near, 0);
  await page.focus(`${tile(NEAR.id)} .tile-open`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`dialog#viewer[open][data-kind="live"][data-camera-id="${NEAR.id}"]`);
  await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('#viewer-image')?.naturalWidth ?? 0) > 0);
  assert.equal(countCode(near, 3), opened + 1, 'the live view opened the stream (301/3)');
  const src = await page.$eval('#viewer-image', (img) => (img as HTMLImageElement).currentSrc);
  assert.equal(src, `${proxy.url}api/cameras/${NEAR.id}/stream`);
  // The picture moves: the browser renders later parts of the stream, not just the first one.
  const image = page.locator('#viewer-image');
  const first = await image.screenshot();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while ((await image.screenshot()).equals(first)) assert.ok(Date.now() < deadline, 'the live image never changed');
  // Controls beside the picture; the URLs ready to copy are the LAN ones, not the ingress URL.
  for (const name of ['ir-led', 'status-led', 'orientation', 'restart', 'forget'])
    assert.equal(await page.isVisible(side(name)), true, name);
  assert.equal(
    await page.textContent('#viewer-controls code[data-lan-url="stream"]'),
    `http://127.0.0.1:${h.app.ports.web}/api/cameras/${NEAR.id}/stream?key=${readFileSync(`${h.dataDir}/media.key`, 'utf8').trim()}`,
    'the LAN URL carries the media key, ready to paste',
  );
  assert.equal(await page.textContent('#viewer-id'), NEAR.id);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-live-view.png` });

  // Sound: the WAV stream through the prefix while the toggle is on.
  const audio = page.waitForRequest((request) => request.url() === `${proxy.url}api/cameras/${NEAR.id}/audio`);
  await page.click('#audio-toggle');
  await audio;
  assert.equal(await page.getAttribute('#audio-toggle', 'aria-pressed'), 'true');
  await page.click('#audio-toggle');
  assert.equal(await page.getAttribute('#audio-toggle', 'aria-pressed'), 'false');

  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
  await waitFor(() => countCode(near, 0) === closed + 1 && !near.isStreaming, 'the camera stream closed (301/0) after Escape');
});

test('settings from the live view: IR LED sends 301/202, orientation 301/216, both follow the echo', async () => {
  await page.click(`${tile(NEAR.id)} .tile-open`);
  await page.waitForSelector(`dialog#viewer[open][data-camera-id="${NEAR.id}"]`);
  const button = `${side('ir-led')}[data-state="off"]:not([disabled])`;
  await page.waitForSelector(button);
  await page.click(button);
  await waitFor(() => near.commands.some((c) => c.code === 202), 'a 301/202 at the camera');
  assert.deepEqual(
    near.commands.find((c) => c.code === 202),
    { code: 202, IrLed: 1 },
  );
  await page.waitForSelector(`${side('ir-led')}[data-state="on"][aria-pressed="true"]:not([disabled])`);
  // The menu's name is on screen, not only in the accessibility tree: "Mirror" alone says nothing.
  const named = page.locator('#viewer-controls').getByLabel(/^Image orientation/);
  assert.equal(await named.getAttribute('data-action'), 'orientation');
  assert.equal(await page.locator('#viewer-controls label.setting-select > span', { hasText: 'Image orientation' }).isVisible(), true);
  await page.selectOption(side('orientation'), '4');
  await waitFor(() => near.commands.some((c) => c.code === 216), 'a 301/216 at the camera');
  assert.deepEqual(
    near.commands.find((c) => c.code === 216),
    { code: 216, mirrorFlip: 4 },
  );
  await waitFor(() => h.app.registry.get(NEAR.id)?.baseInfo?.mirrorFlip === 4, 'the echo of 216 in base info');
  await page.click('#viewer-close');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
});

test('motion from the live view: the switch and sensitivity reach the add-on; tile and panel show motion and its time', async () => {
  await page.click(`${tile(NEAR.id)} .tile-open`);
  await page.waitForSelector(`dialog#viewer[open][data-camera-id="${NEAR.id}"]`);
  await page.waitForSelector(`${side('motion')}[data-state="off"]:not([disabled])`);
  assert.equal(await page.getAttribute(tile(NEAR.id), 'data-motion'), '', 'no motion state while detection is off');
  await page.click(side('motion'));
  await page.waitForSelector(`${side('motion')}[data-state="on"][aria-pressed="true"]:not([disabled])`);
  assert.equal(h.app.registry.get(NEAR.id)?.motion?.enabled, true);
  await waitFor(() => h.app.motion.stats(NEAR.id)?.watching === true, 'motion detection consumes the stream');

  await page.$eval(side('motion-sensitivity'), (input) => {
    (input as HTMLInputElement).value = '80';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await waitFor(() => h.app.registry.get(NEAR.id)?.motion?.sensitivity === 80, 'sensitivity 80 in the registry');
  await page.waitForSelector('#viewer-controls output[data-field="motion-sensitivity"]:has-text("80")');

  // What the panel shows follows the registry (set here so the test does not depend on the frames).
  h.app.registry.setMotionDetected(NEAR.id, true, Date.now() - 120_000);
  await page.waitForSelector(`${tile(NEAR.id)}[data-motion="true"] [data-field="motion"]:not([hidden])`);
  await page.waitForSelector('#viewer-controls [data-field="motion-now"]:has-text("Motion now")');
  await page.waitForSelector('#viewer-controls [data-field="last-motion"]:has-text("last motion 2 min ago")');
  assert.match((await page.textContent(`${tile(NEAR.id)} [data-field="last-motion"]`)) ?? '', /^Motion 2 min ago$/);

  await page.click(side('motion'));
  await page.waitForSelector(`${side('motion')}[data-state="off"]:not([disabled])`);
  assert.equal(h.app.registry.get(NEAR.id)?.motion?.enabled, false);
  assert.equal(h.app.registry.get(NEAR.id)?.motionDetected, false);
  await page.waitForSelector('#viewer-controls [data-field="motion-now"]:has-text("Detection off")');
  await page.waitForSelector(`${tile(NEAR.id)}[data-motion=""]`);
  await page.click('#viewer-close');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
});

test('rename round-trip: panel → API → MQTT device name; the id stays visible; bad names are refused', async () => {
  await page.click(`${tile(NEAR.id)} .tile-open`);
  await page.waitForSelector(`dialog#viewer[open][data-camera-id="${NEAR.id}"]`);
  // A name with a control character never reaches the registry.
  await page.$eval('#name-input', (input) => {
    (input as HTMLInputElement).value = 'Front\u0007door';
  });
  await page.click('#rename-save');
  await page.waitForSelector('#rename-error:has-text("control characters")');
  // Chromium logs every 4xx response; this one was provoked on purpose.
  const refused = pageErrors.findIndex((line) => /status of 400 \(Bad Request\)/.test(line));
  assert.ok(refused >= 0, 'the API answered 400');
  pageErrors.splice(refused, 1);
  assert.equal(h.app.registry.get(NEAR.id)?.name, undefined);

  const mark = ha.messages.length;
  await page.fill('#name-input', '  Front door ');
  await page.press('#name-input', 'Enter');
  await page.waitForSelector('#rename-error:has-text("Saved.")');
  assert.equal(h.app.registry.get(NEAR.id)?.name, 'Front door');
  assert.equal(await page.textContent('#viewer-title'), 'Front door');
  assert.equal(await page.textContent('#viewer-id'), NEAR.id);
  const discovery = await ha.waitFor(
    (m) =>
      m.seq >= mark &&
      m.topic === `homeassistant/device/a9v720_${NEAR.id}/config` &&
      (JSON.parse(m.text) as Partial<DeviceDiscoveryPayload>).device?.name === 'Front door',
    'discovery republished with the new device name',
  );
  assert.equal(discovery.retain, true);
  assert.equal((JSON.parse(discovery.text) as DeviceDiscoveryPayload).device.serial_number, NEAR.id);
  const retained = await MqttRecorder.retained(broker.url, [`homeassistant/device/a9v720_${NEAR.id}/config`]);
  assert.equal(
    (JSON.parse(retained.get(`homeassistant/device/a9v720_${NEAR.id}/config`)?.text ?? '{}') as Partial<DeviceDiscoveryPayload>).device
      ?.name,
    'Front door',
  );
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
  await page.waitForSelector(`${tile(NEAR.id)} [data-field="name"]:has-text("Front door")`);
  assert.equal(await page.textContent(`${tile(NEAR.id)} [data-field="id"]`), NEAR.id);
  assert.equal(await page.isVisible(`${tile(NEAR.id)} [data-field="id"]`), true, 'the id stays visible as detail');
});

test('a camera going offline turns its tile offline without a reload', async () => {
  far.stop();
  await page.waitForSelector(`${tile(FAR.id)}[data-online="false"]`);
  assert.equal((await page.textContent(`${tile(FAR.id)} [data-field="status"]`))?.trim(), 'offline');
  assert.equal((await page.textContent(`${tile(NEAR.id)} [data-field="status"]`))?.trim(), 'online');
  await page.waitForSelector('#summary[data-online="2"][data-total="3"]');
  assert.equal(await page.getAttribute(tile(FAR.id), 'data-picture'), 'true', 'the last picture stays, marked offline');
  assert.equal(await page.evaluate(() => (window as unknown as { dashboardMarker?: string }).dashboardMarker), 'loaded once');
  assert.equal(mainFrameNavigations, 1, 'only the initial navigation');
});

test('the list view: a compact table sorted by IP, remembered across page loads', async () => {
  await page.click('[data-view="list"]');
  await page.waitForSelector(row(FAR.id));
  assert.equal(await page.isHidden('#tiles'), true);
  assert.deepEqual(await page.$$eval('#camera-rows tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.cameraId)), [
    NEAR.id,
    BLANK.id,
    FAR.id,
  ]);
  assert.equal(await page.textContent(field(NEAR.id, 'ip')), NEAR.ip);
  assert.equal((await page.textContent(field(NEAR.id, 'name')))?.trim(), 'Front door');
  assert.equal((await page.textContent(field(FAR.id, 'status')))?.trim(), 'disconnected');
  assert.equal(await page.isDisabled(action(FAR.id, 'snapshot')), true, 'no snapshot button for an offline camera');

  // The list's Snapshot opens the viewer with a still image.
  const snapshot = page.waitForResponse((response) => response.url().includes(`/api/cameras/${BLANK.id}/snapshot`));
  await page.click(action(BLANK.id, 'snapshot'));
  await page.waitForSelector('dialog#viewer[open][data-kind="snapshot"]');
  assert.ok(sentFrame(BLANK.id, await (await snapshot).body()), 'the viewer snapshot is one of the frames the camera sent, byte for byte');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });

  const other = await context.newPage();
  watchPage(other);
  await other.goto(proxy.url);
  await other.waitForSelector(row(NEAR.id));
  assert.equal(await other.isHidden('#tiles'), true, 'the list view is remembered');
  await other.click('[data-view="grid"]');
  await other.waitForSelector(tile(NEAR.id));
  await other.close();
  await page.click('[data-view="grid"]');
  await page.waitForSelector(tile(NEAR.id));
});

test('screenshots: desktop light and dark, phone light and dark', async () => {
  // The blank camera got a frame from the list's snapshot; wait until its tile shows it.
  await page.waitForSelector(`${tile(BLANK.id)}[data-picture="true"]`);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-desktop-light.png`, fullPage: true });
  const variants = [
    { name: 'dashboard-desktop-dark.png', options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const } },
    {
      name: 'dashboard-phone.png',
      options: {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        colorScheme: 'light' as const,
      },
    },
    {
      name: 'dashboard-phone-dark.png',
      options: {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        colorScheme: 'dark' as const,
      },
    },
  ];
  for (const { name, options } of variants) {
    const fresh = await browser.newContext(options);
    try {
      const other = await fresh.newPage();
      watchPage(other);
      await other.goto(proxy.url);
      await other.waitForSelector(`${tile(FAR.id)}[data-online="false"][data-picture="true"]`);
      await other.waitForSelector(`${tile(NEAR.id)}[data-online="true"][data-picture="true"]`);
      await other.waitForSelector('#connection[data-mode="live"]');
      const width = await other.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= options.viewport.width, `${name}: no horizontal scrolling (page is ${width}px wide)`);
      if (options.viewport.width < 500) {
        const columns = await other.$eval('#tiles', (grid) => getComputedStyle(grid).gridTemplateColumns.split(' ').length);
        assert.equal(columns, 1, 'one column on a phone');
      }
      await other.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
    } finally {
      await fresh.close();
    }
  }
  const columns = await page.$eval('#tiles', (grid) => getComputedStyle(grid).gridTemplateColumns.split(' ').length);
  assert.ok(columns >= 4, `several columns on a wide screen (${columns})`);
});

test('forget from the live view removes the tile after the confirmation', async () => {
  const dialogs: string[] = [];
  page.once('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
  await page.click(`${tile(FAR.id)} .tile-open`);
  // Offline: its last picture and its controls, no stream attempt.
  await page.waitForSelector(`dialog#viewer[open][data-camera-id="${FAR.id}"][data-kind="offline"]`);
  await page.waitForSelector('#viewer-status:has-text("offline")');
  const offlineImage = await page.$eval('#viewer-image', (img) => (img as HTMLImageElement).currentSrc);
  assert.ok(
    offlineImage.startsWith(`${proxy.url}api/cameras/${FAR.id}/frame?seq=`),
    `the offline viewer shows the cached frame through the ingress prefix, got ${offlineImage}`,
  );
  await page.click(side('forget'));
  await page.waitForSelector(tile(FAR.id), { state: 'detached' });
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
  assert.equal(dialogs.length, 1);
  assert.match(dialogs[0]!, new RegExp(`^confirm: .*${FAR.id}`));
  assert.equal(h.app.registry.get(FAR.id), undefined);
  await page.waitForSelector('#summary[data-online="2"][data-total="2"]');
  assert.equal(await page.evaluate(() => (window as unknown as { dashboardMarker?: string }).dashboardMarker), 'loaded once');
});

test('the pages never left the ingress prefix and raised no script or console errors', () => {
  assert.deepEqual(proxy.rejected, [], 'requests outside the prefix (absolute URLs)');
  const outside = requested.filter((url) => !url.startsWith(proxy.url) && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'browser requests that bypass the ingress prefix');
  assert.deepEqual(pageErrors, []);
});

test('the ingress stand-in refuses what HA would: paths outside the prefix are 404', async () => {
  const outside = await fetch(`http://127.0.0.1:${proxy.port}/api/cameras`);
  assert.equal(outside.status, 404);
  await outside.arrayBuffer();
  const inside = await fetch(`${proxy.url}api/cameras`);
  assert.equal(inside.status, 200);
  assert.equal(((await inside.json()) as unknown[]).length, 2);
});

/** The media key of the web apps served as a LAN peer below. */
const TEST_MEDIA_KEY = '0123456789abcdef0123456789abcdef';

test('access: a LAN address gets 403 for the dashboard and control API, media only with lan_media; ingress gets through', async () => {
  const lan = '192.168.1.50';
  const snapshot = `/api/cameras/${NEAR.id}/snapshot`;
  const withMedia = await serveWebAppAsPeer(h, { lanMedia: true, mediaKey: TEST_MEDIA_KEY, ownNames: [PEER_APP_HOST] });
  const withoutMedia = await serveWebAppAsPeer(h, { lanMedia: false, mediaKey: TEST_MEDIA_KEY, ownNames: [PEER_APP_HOST] });
  try {
    for (const app of [withMedia, withoutMedia]) {
      assert.equal(await app.status(lan, '/api/cameras'), 403);
      assert.equal(await app.status(lan, '/'), 403);
      assert.equal(await app.status(lan, '/app.js'), 403);
      assert.equal(await app.status(lan, `/api/cameras/${NEAR.id}/settings`, { method: 'POST', body: '{"IrLed":0}' }), 403);
      assert.equal(await app.status(lan, `/api/cameras/${NEAR.id}/restart`, { method: 'POST' }), 403);
      assert.equal(await app.status(lan, `/api/cameras/${NEAR.id}`, { method: 'DELETE' }), 403);
      assert.equal(await app.status(`::ffff:${lan}`, '/api/cameras'), 403);
    }
    assert.equal(await withMedia.status(lan, `${snapshot}?key=${TEST_MEDIA_KEY}`), 200);
    assert.equal(await withMedia.status(lan, snapshot), 403, 'LAN media needs the key');
    assert.equal(await withoutMedia.status(lan, `${snapshot}?key=${TEST_MEDIA_KEY}`), 403, 'lan_media off closes the LAN, key or not');
    assert.equal(await withMedia.status(lan, `${snapshot}?key=${TEST_MEDIA_KEY}`, { method: 'POST' }), 403, 'media access is read-only');
    assert.ok(
      near.commands.every((c) => c.code !== 202 || c.IrLed !== 0),
      'the refused setting never reached the camera',
    );
    assert.equal(h.app.registry.get(NEAR.id)?.online, true, 'the refused DELETE did not forget the camera');

    for (const ingress of ['172.30.32.2', '::ffff:172.30.32.2']) {
      assert.equal(await withoutMedia.status(ingress, '/api/cameras'), 200, ingress);
      assert.equal(await withoutMedia.status(ingress, '/'), 200, ingress);
      assert.equal(await withoutMedia.status(ingress, snapshot), 200, ingress);
      assert.equal(
        await withoutMedia.status(ingress, '/api/cameras/unknown/settings', { method: 'POST', body: '{"IrLed":1}' }),
        404,
        ingress,
      );
      assert.equal(await withoutMedia.status(ingress, '/api/cameras/unknown', { method: 'DELETE' }), 404, ingress);
    }
    assert.equal(await withoutMedia.status('172.30.32.3', '/api/cameras'), 403, 'only the Supervisor’s address is ingress');
    assert.ok(h.log.find(/refused GET \/api\/cameras from 192\.168\.1\.50/), 'refusals are logged');
  } finally {
    await withMedia.close();
    await withoutMedia.close();
  }
});
