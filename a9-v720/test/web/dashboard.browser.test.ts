/**
 * The dashboard in a real browser (Debian's headless Chromium via playwright-core), served
 * through a stand-in for Home Assistant ingress, against the whole server and two simulated
 * cameras on distinct loopback addresses. Screenshots land in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { createApiRouter } from '../../src/web/api-routes.js';
import { createMediaRouter } from '../../src/web/media-routes.js';
import { createWebApp } from '../../src/web/server.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { taggedFrames } from '../support/media-client.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
/** Generous: conditions are polled, never waited for by a fixed delay. */
const UI_TIMEOUT_MS = 15_000;

// 127.0.0.5 sorts before 127.0.0.31 only numerically; the ids sort the other way round.
const FAR = { id: '0800c0D00001', ip: '127.0.0.31' };
const NEAR = { id: '0800c0D00002', ip: '127.0.0.5' };

let h: Harness;
let proxy: IngressProxy;
let browser: Browser;
let page: Page;
let near: SimulatedCamera;
let far: SimulatedCamera;
const sentByNear: Buffer[] = [];
/** Every URL the dashboard page requested, and what went wrong in it. */
const requested: string[] = [];
const pageErrors: string[] = [];
let mainFrameNavigations = 0;

const row = (id: string): string => `tr[data-camera-id="${id}"]`;
const field = (id: string, name: string): string => `${row(id)} [data-field="${name}"]`;
const action = (id: string, name: string): string => `${row(id)} [data-action="${name}"]`;
const countCode = (camera: SimulatedCamera, code: number): number => camera.commands.filter((c) => c.code === code).length;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard browser tests need Debian's chromium (apt-get install chromium)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness();
  proxy = await startIngressProxy({ host: '127.0.0.1', port: h.app.ports.web });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  far = h.camera(FAR.id, { localAddress: FAR.ip, frames: taggedFrames(FAR.id), fps: 10, reconnect: false });
  near = h.camera(NEAR.id, { localAddress: NEAR.ip, frames: taggedFrames(NEAR.id), fps: 10 });
  near.on('frameSent', (jpeg) => sentByNear.push(jpeg));
  await Promise.all([far.start(), near.start()]);
  await waitFor(() => [FAR, NEAR].every(({ id }) => h.app.registry.get(id)?.online === true), 'both cameras online');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) mainFrameNavigations++;
  });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await h?.stop();
});

test('the dashboard loads through the ingress prefix and lists both cameras sorted by IP', async () => {
  await page.goto(proxy.url);
  await page.waitForSelector(row(FAR.id));
  await page.waitForSelector(row(NEAR.id));
  assert.deepEqual(
    await page.$$eval('#camera-rows tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.cameraId)),
    [NEAR.id, FAR.id],
  );
  assert.equal(await page.textContent(field(NEAR.id, 'ip')), NEAR.ip);
  assert.equal(await page.textContent(field(FAR.id, 'ip')), FAR.ip);
  for (const { id } of [NEAR, FAR]) assert.equal((await page.textContent(field(id, 'status')))?.trim(), 'connected');
  assert.equal(await page.getAttribute('#summary', 'data-online'), '2');
  assert.equal(await page.getAttribute('#summary', 'data-total'), '2');
  assert.equal(await page.isHidden('#empty'), true);
  await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live');
  assert.ok(proxy.forwarded.includes('/api/events'), 'server-sent events go through the prefix');
  // The LAN URLs for go2rtc / HA integrations use the server's address and web port, not the ingress URL.
  const expectedStream = `http://127.0.0.1:${h.app.ports.web}/api/cameras/${NEAR.id}/stream`;
  await page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector)?.textContent === expected,
    [`${row(NEAR.id)} code[data-lan-url="stream"]`, expectedStream] as const,
  );
  // Marks this document: an update that reloads the page would lose it.
  await page.evaluate(() => {
    (window as unknown as { dashboardMarker: string }).dashboardMarker = 'loaded once';
  });
});

test('snapshot: the viewer shows a frame the camera sent, fetched via the prefix', async () => {
  const snapshotResponse = page.waitForResponse((response) => response.url().includes(`/api/cameras/${NEAR.id}/snapshot`));
  await page.click(action(NEAR.id, 'snapshot'));
  await page.waitForSelector('dialog#viewer[open]');
  const response = await snapshotResponse;
  assert.equal(response.status(), 200);
  assert.ok(response.url().startsWith(`${proxy.url}api/cameras/${NEAR.id}/snapshot`), response.url());
  const body = await response.body();
  assert.ok(sentByNear.some((frame) => frame.equals(body)), 'the snapshot is one of the frames the camera sent, byte for byte');
  await page.waitForFunction(() => ((document.querySelector('#viewer-image') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  const src = await page.$eval('#viewer-image', (img) => (img as HTMLImageElement).currentSrc);
  assert.ok(src.startsWith(proxy.url), `viewer image ${src} comes through the prefix`);
  assert.equal(countCode(near, 3), 1, 'the snapshot opened the camera stream');
  await page.click('#viewer-close');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
});

test('IR LED: the button sends 301/202 and follows the camera’s echo', async () => {
  // Enabled once the camera reported its settings (the snapshot ran the command-mode handshake).
  const button = `${action(NEAR.id, 'ir-led')}[data-state="off"]:not([disabled])`;
  await page.waitForSelector(button);
  assert.equal(await page.getAttribute(action(NEAR.id, 'ir-led'), 'aria-pressed'), 'false');
  await page.click(button);
  await waitFor(() => near.commands.some((c) => c.code === 202), 'a 301/202 at the camera');
  assert.deepEqual(near.commands.find((c) => c.code === 202), { code: 202, IrLed: 1 });
  await page.waitForSelector(`${action(NEAR.id, 'ir-led')}[data-state="on"][aria-pressed="true"]:not([disabled])`);
  assert.equal(h.app.registry.get(NEAR.id)?.baseInfo?.IrLed, 1);
});

test('orientation: choosing "Rotated 180°" sends 301/216 mirrorFlip 4', async () => {
  const select = action(NEAR.id, 'orientation');
  await page.waitForSelector(`${select}:not([disabled])`);
  await page.selectOption(select, '4');
  await waitFor(() => near.commands.some((c) => c.code === 216), 'a 301/216 at the camera');
  assert.deepEqual(near.commands.find((c) => c.code === 216), { code: 216, mirrorFlip: 4 });
  await page.waitForFunction(
    (selector) => {
      const node = document.querySelector(selector) as HTMLSelectElement | null;
      return node !== null && !node.disabled && node.value === '4';
    },
    select,
  );
  assert.equal(h.app.registry.get(NEAR.id)?.baseInfo?.mirrorFlip, 4);
});

test('live view: MJPEG frames through the prefix; closing the viewer closes the camera stream', async () => {
  // The snapshot's stream closes after the linger; start from an idle camera.
  await waitFor(() => !near.isStreaming && countCode(near, 0) === countCode(near, 3), 'snapshot stream closed');
  const opened = countCode(near, 3);
  const closed = countCode(near, 0);
  await page.click(action(NEAR.id, 'live'));
  await page.waitForSelector('dialog#viewer[open][data-kind="live"]');
  await page.waitForFunction(() => ((document.querySelector('#viewer-image') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  assert.equal(countCode(near, 3), opened + 1, 'the live view opened the stream (301/3)');
  assert.ok(near.isStreaming);
  assert.ok(proxy.forwarded.includes(`/api/cameras/${NEAR.id}/stream`));
  const src = await page.$eval('#viewer-image', (img) => (img as HTMLImageElement).currentSrc);
  assert.equal(src, `${proxy.url}api/cameras/${NEAR.id}/stream`);
  // The picture moves: the browser renders later parts of the stream, not just the first one.
  const image = page.locator('#viewer-image');
  const first = await image.screenshot();
  const deadline = Date.now() + UI_TIMEOUT_MS;
  while ((await image.screenshot()).equals(first)) {
    assert.ok(Date.now() < deadline, 'the live image never changed');
  }
  await page.screenshot({ path: `${ARTIFACTS}dashboard-live-viewer.png` });

  await page.click('#viewer-close');
  await page.waitForSelector('dialog#viewer:not([open])', { state: 'attached' });
  await waitFor(() => countCode(near, 0) === closed + 1 && !near.isStreaming, 'the camera stream closed (301/0) after the viewer closed');
  assert.deepEqual(near.commands.filter((c) => c.code === 0).at(-1), { code: 0 });
});

test('a camera going offline turns its row to "disconnected" without a reload', async () => {
  far.stop();
  await page.waitForFunction((selector) => document.querySelector(selector)?.textContent?.trim() === 'disconnected', field(FAR.id, 'status'));
  assert.equal((await page.textContent(field(NEAR.id, 'status')))?.trim(), 'connected');
  assert.equal(await page.getAttribute(row(FAR.id), 'data-online'), 'false');
  await page.waitForSelector('#summary[data-online="1"][data-total="2"]');
  assert.equal(await page.isDisabled(action(FAR.id, 'snapshot')), true, 'no snapshot button for an offline camera');
  assert.equal(await page.evaluate(() => (window as unknown as { dashboardMarker?: string }).dashboardMarker), 'loaded once');
  assert.equal(mainFrameNavigations, 1, 'only the initial navigation');
  assert.deepEqual(
    await page.$$eval('#camera-rows tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.cameraId)),
    [NEAR.id, FAR.id],
  );
});

test('screenshots: desktop light, dark and phone', async () => {
  await page.screenshot({ path: `${ARTIFACTS}dashboard-desktop-light.png`, fullPage: true });
  const variants = [
    { name: 'dashboard-desktop-dark.png', options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const } },
    { name: 'dashboard-phone.png', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
    { name: 'dashboard-phone-dark.png', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: 'dark' as const } },
  ];
  for (const { name, options } of variants) {
    const context = await browser.newContext(options);
    try {
      const other = await context.newPage();
      other.setDefaultTimeout(UI_TIMEOUT_MS);
      await other.goto(proxy.url);
      await other.waitForSelector(`${field(FAR.id, 'status')} >> text=disconnected`);
      await other.waitForSelector(`${field(NEAR.id, 'status')} >> text=connected`);
      await other.waitForSelector('#connection[data-mode="live"]');
      const width = await other.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= (options.viewport.width), `${name}: no horizontal scrolling (page is ${width}px wide)`);
      await other.screenshot({ path: `${ARTIFACTS}${name}`, fullPage: true });
    } finally {
      await context.close();
    }
  }
});

test('forget removes the row after the confirmation', async () => {
  const dialogs: string[] = [];
  page.once('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
  await page.click(action(FAR.id, 'forget'));
  await page.waitForSelector(row(FAR.id), { state: 'detached' });
  assert.equal(dialogs.length, 1);
  assert.match(dialogs[0]!, new RegExp(`^confirm: .*${FAR.id}`));
  assert.equal(h.app.registry.get(FAR.id), undefined);
  await page.waitForSelector('#summary[data-online="1"][data-total="1"]');
  assert.equal(await page.$$eval('#camera-rows tr', (trs) => trs.length), 1);
  assert.equal(await page.evaluate(() => (window as unknown as { dashboardMarker?: string }).dashboardMarker), 'loaded once');
});

test('the page never left the ingress prefix and raised no script errors', () => {
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
  assert.equal(((await inside.json()) as unknown[]).length, 1);
});

/**
 * The real middleware chain of createWebApp (access filter, API, media, static files) behind
 * a real socket, with the peer address the filter sees set per request: every address of
 * 127.0.0.0/8 is loopback, so a LAN client cannot be made from a test socket otherwise.
 */
async function webAppAs(lanMedia: boolean): Promise<{ request(peer: string, method: string, path: string, body?: string): Promise<number>; close(): Promise<void> }> {
  const web = createWebApp({
    lanMedia,
    logger: h.log.logger,
    routers: [
      createApiRouter({ registry: h.app.registry, control: h.app.sessions, frames: h.app.media, logger: h.log.logger, version: 'test', lan: { host: '192.168.1.5', webPort: () => 1234, lanMedia } }),
      createMediaRouter({ registry: h.app.registry, media: h.app.media, snapshotTimeoutMs: 5000, logger: h.log.logger }),
    ],
  });
  const handle = web.callback();
  const server = http.createServer((req, res) => {
    Object.defineProperty(req.socket, 'remoteAddress', { value: req.headers['x-test-peer'], configurable: true });
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    async request(peer, method, path, body) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        body,
        headers: { 'x-test-peer': peer, ...(body ? { 'content-type': 'application/json' } : {}) },
      });
      await res.arrayBuffer();
      return res.status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

test('access: a LAN address gets 403 for the dashboard and control API, media only with lan_media; ingress gets through', async () => {
  const lan = '192.168.1.50';
  const snapshot = `/api/cameras/${NEAR.id}/snapshot`;
  const withMedia = await webAppAs(true);
  const withoutMedia = await webAppAs(false);
  try {
    for (const app of [withMedia, withoutMedia]) {
      assert.equal(await app.request(lan, 'GET', '/api/cameras'), 403);
      assert.equal(await app.request(lan, 'GET', '/'), 403);
      assert.equal(await app.request(lan, 'GET', '/app.js'), 403);
      assert.equal(await app.request(lan, 'POST', `/api/cameras/${NEAR.id}/settings`, '{"IrLed":0}'), 403);
      assert.equal(await app.request(lan, 'POST', `/api/cameras/${NEAR.id}/restart`), 403);
      assert.equal(await app.request(lan, 'DELETE', `/api/cameras/${NEAR.id}`), 403);
      assert.equal(await app.request(`::ffff:${lan}`, 'GET', '/api/cameras'), 403);
    }
    assert.equal(await withMedia.request(lan, 'GET', snapshot), 200);
    assert.equal(await withoutMedia.request(lan, 'GET', snapshot), 403);
    assert.equal(await withMedia.request(lan, 'POST', snapshot), 403, 'media access is read-only');
    assert.ok(near.commands.every((c) => c.code !== 202 || c.IrLed !== 0), 'the refused setting never reached the camera');
    assert.equal(h.app.registry.get(NEAR.id)?.online, true, 'the refused DELETE did not forget the camera');

    for (const ingress of ['172.30.32.2', '::ffff:172.30.32.2']) {
      assert.equal(await withoutMedia.request(ingress, 'GET', '/api/cameras'), 200, ingress);
      assert.equal(await withoutMedia.request(ingress, 'GET', '/'), 200, ingress);
      assert.equal(await withoutMedia.request(ingress, 'GET', snapshot), 200, ingress);
      assert.equal(await withoutMedia.request(ingress, 'POST', '/api/cameras/unknown/settings', '{"IrLed":1}'), 404, ingress);
      assert.equal(await withoutMedia.request(ingress, 'DELETE', '/api/cameras/unknown'), 404, ingress);
    }
    assert.equal(await withoutMedia.request('172.30.32.3', 'GET', '/api/cameras'), 403, 'only the Supervisor’s address is ingress');
    assert.ok(h.log.find(/refused GET \/api\/cameras from 192\.168\.1\.50/), 'refusals are logged');
  } finally {
    await withMedia.close();
    await withoutMedia.close();
  }
});
