/**
 * The Setup view in headless Chromium through the ingress stand-in, against the whole server, a
 * fake DNS server on a random local port and simulated cameras: it opens by itself before the
 * first camera, shows the DNS rows with their fixes, the ports, and one journey per camera with
 * the step it stopped at highlighted; "Check again" asks DNS again. Screenshot in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createResolver } from '../../src/camera/setup/dns-check.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { launchChromium } from '../support/chromium.js';
import { startFakeDns, type FakeDns } from '../support/fake-dns.js';
import { startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { taggedFrames } from '../support/media-client.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;
const STUCK = { id: '0800c0F10001', ip: '127.0.0.51' };
const FINE = { id: '0800c0F10002', ip: '127.0.0.52' };

let dns: FakeDns;
let h: Harness;
let proxy: IngressProxy;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const journey = (id: string): string => `#setup article.journey[data-camera-id="${id}"]`;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dns = await startFakeDns({ 'v720.naxclow.com': { kind: 'a', addresses: ['47.88.1.2'] } });
  h = await startHarness(
    {},
    {
      dnsResolver: createResolver([dns.server], 500),
      setupTiming: { bootstrapGraceMs: 1000, evaluateEveryMs: 200, dnsMinIntervalMs: 500 },
    },
  );
  proxy = await startIngressProxy({ host: '127.0.0.1', port: h.app.ports.web });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
  });
  // The first DNS check has answered before the page asks.
  await waitFor(() => dns.queries.length >= 8, 'the first DNS check');
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await h?.stop();
  await dns?.close();
});

test('before the first camera the view opens by itself: the DNS error with its fixes, the ports, no cameras yet', async () => {
  await page.goto(proxy.url);
  await page.waitForSelector('#setup:not([hidden]) .setup-summary[data-problem="true"]');
  assert.equal(await page.getAttribute('#setup-toggle', 'aria-expanded'), 'true');
  assert.match(
    (await page.textContent('#setup .setup-summary')) ?? '',
    /^1 error, \d+ warnings?; first: v720\.naxclow\.com points at the vendor cloud \(47\.88\.1\.2\), not at this host \(127\.0\.0\.1\)/,
  );
  const row = '#setup .setup-dns tr[data-name="v720.naxclow.com"]';
  assert.equal(await page.getAttribute(row, 'data-verdict'), 'vendor-cloud');
  assert.equal((await page.textContent(`${row} .verdict`))?.trim(), 'vendor cloud');
  await page.click(`${row} details.fixes summary`);
  assert.deepEqual(await page.$$eval(`${row} details.fixes li`, (items) => items.map((item) => item.textContent)), [
    'AdGuard Home: Filters → DNS rewrites: add *.naxclow.com → 127.0.0.1 (DOCS §1 AdGuard Home)',
    'Pi-hole: Settings → Local DNS Records: add v720.naxclow.com → 127.0.0.1 (or the dnsmasq line address=/naxclow.com/127.0.0.1) (DOCS §1 Pi-hole)',
    'dnsmasq / OpenWrt: address=/naxclow.com/127.0.0.1 (DOCS §1 dnsmasq)',
    'Router: a local host name override v720.naxclow.com → 127.0.0.1 (or for all of naxclow.com) (DOCS §1 Other routers)',
  ]);
  assert.equal(await page.locator('#setup .setup-dns tbody tr').count(), 8);
  assert.deepEqual(await page.$$eval('#setup .setup-ports tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.port)), [
    '80/tcp',
    '6123/tcp',
    '6123/udp',
    '1234/tcp',
  ]);
  assert.equal(await page.isVisible('#setup [data-field="no-cameras"]'), true);
  assert.equal(
    await page.locator('#setup .setup-problems li[data-severity="error"]').count(),
    1,
    'one error line: the DNS rewrite (the random test ports are warnings)',
  );
});

test('one journey per camera, the stopped step highlighted with its cause; "Check again" asks DNS again', async () => {
  const stuck = h.camera(STUCK.id, { localAddress: STUCK.ip, bootstrapFlow: 'bootstrap-only', firmware: '202212011602' });
  const fine = h.camera(FINE.id, { localAddress: FINE.ip, frames: taggedFrames(FINE.id) });
  await Promise.all([stuck.start(), fine.start()]);
  await waitFor(() => h.app.registry.get(FINE.id)?.online === true, 'the fine camera online');

  // The user fixes the DNS rewrite and presses "Check again".
  dns.records.set('v720.naxclow.com', { kind: 'a', addresses: ['127.0.0.1'] });
  const asked = dns.queries.length;
  const answer = page.waitForResponse((response) => response.url().endsWith('/api/setup') && response.request().method() === 'POST');
  await page.click('#setup [data-action="setup-refresh"]');
  assert.equal((await answer).status(), 200);
  await page.waitForSelector('#setup .setup-dns tr[data-name="v720.naxclow.com"][data-verdict="this-host"]');
  assert.ok(dns.queries.length >= asked + 8, 'the button asked DNS again');

  // The stuck camera's journey ends at the TCP registration once its grace is over.
  await page.waitForSelector(`${journey(STUCK.id)}[data-stopped-at="registration"]`);
  const stopped = `${journey(STUCK.id)} li[data-status="stopped"]`;
  assert.equal(await page.getAttribute(stopped, 'data-step'), 'registration');
  assert.equal(await page.getAttribute(stopped, 'aria-current'), 'step');
  assert.equal((await page.textContent(`${stopped} .step-status`))?.trim(), 'stopped here');
  const background = await page.$eval(stopped, (node) => getComputedStyle(node).backgroundColor);
  assert.notEqual(background, 'rgba(0, 0, 0, 0)', 'the stopped step is highlighted');
  assert.match(
    (await page.textContent(`${journey(STUCK.id)} [data-field="cause"]`)) ?? '',
    /^Likely cause: asked for its server (just now|\d+ s ago) but never opened TCP 6123 \(we sent it to 127\.0\.0\.1:\d+\): is 6123\/tcp mapped/,
  );
  assert.match((await page.textContent(`${journey(STUCK.id)} h4`)) ?? '', /firmware 202212011602/);

  // The camera that registered: bootstrap, registration and UDP done; no picture asked for yet.
  await page.waitForSelector(`${journey(FINE.id)} li[data-step="probe"][data-status="done"]`);
  assert.equal(await page.getAttribute(journey(FINE.id), 'data-stopped-at'), '');
  assert.deepEqual(
    await page.$$eval(`${journey(FINE.id)} li`, (items) =>
      items.map((item) => `${(item as HTMLElement).dataset.step}:${(item as HTMLElement).dataset.status}`),
    ),
    ['bootstrap:done', 'registration:done', 'probe:done', 'frame:waiting'],
  );
  assert.equal(await page.isVisible(`${journey(FINE.id)} [data-field="cause"]`), false);
  await page.screenshot({ path: `${ARTIFACTS}setup-view.png`, fullPage: true });
});

test('Close hides the view, the header button brings it back; a camera has registered, so a reload keeps it closed', async () => {
  await page.click('#setup [data-action="setup-close"]');
  assert.equal(await page.isHidden('#setup'), true);
  assert.equal(await page.getAttribute('#setup-toggle', 'aria-expanded'), 'false');
  await page.click('#setup-toggle');
  await page.waitForSelector(`#setup:not([hidden]) article.journey[data-camera-id="${STUCK.id}"]`);
  await page.reload();
  await page.waitForSelector(`#tiles article.tile[data-camera-id="${FINE.id}"]`);
  await page.waitForSelector('#setup[data-loaded="true"]', { state: 'attached' });
  assert.equal(await page.isHidden('#setup'), true, 'after the first registration the view opens only on request');
  assert.deepEqual(pageErrors, []);
});
