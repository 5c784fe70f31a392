/**
 * The live view's "Show live in Home Assistant" in headless Chromium, through the ingress
 * stand-in, against the whole server and the Supervisor + HA Core stand-in (whose mjpeg flow
 * fetches the camera's URLs from the server as HA Core would): the entry made by itself, deleted
 * in HA and made again with the button, HA not reachable; hidden outside the Supervisor; and
 * explained without homeassistant_api. Screenshots land in test-artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { plainIp } from '../../src/util/net.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { launchChromium } from '../support/chromium.js';
import { HaCoreStandin } from '../support/ha-core-standin.js';
import { startIngressProxy, type IngressProxy } from '../support/ingress-proxy.js';
import { taggedFrames } from '../support/media-client.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;
const CAM = '0800c0B00001';
const HA_CORE_STANDS_IN = '127.0.0.2';

let browser: Browser;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await browser?.close();
});

/** A server with one online camera, optionally under the stand-in Supervisor, and a page on it through ingress. */
async function serve(ha: HaCoreStandin | undefined): Promise<{ h: Harness; page: Page; proxy: IngressProxy }> {
  const h = await startHarness(
    { lanMedia: false },
    ha
      ? {
          supervisor: ha.endpoint,
          liveEntities: { retryMs: 60_000, coreTimeoutMs: 2000 },
          peerAddress: (address) => (plainIp(address) === HA_CORE_STANDS_IN ? '172.30.32.1' : address),
        }
      : {},
  );
  cleanups.push(() => h.stop());
  await h.camera(CAM, { frames: taggedFrames(CAM), fps: 10 }).start();
  await waitFor(() => h.app.registry.get(CAM)?.online === true, 'camera online');
  const proxy = await startIngressProxy({ host: '127.0.0.1', port: h.app.ports.web });
  cleanups.push(() => proxy.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  cleanups.push(() => page.close());
  await page.goto(proxy.url);
  await page.click(`article.tile[data-camera-id="${CAM}"] .tile-open`);
  await page.waitForSelector(`dialog#viewer[open][data-camera-id="${CAM}"]`);
  return { h, page, proxy };
}

const section = '#viewer-controls section.live-entity';
const button = `${section} [data-action="live-entity"]`;

test('made by itself; deleted in HA and made again with the button; HA not reachable is said', async () => {
  const ha = new HaCoreStandin({
    resolve: (authority) => `127.0.0.1:${authority.slice(authority.lastIndexOf(':') + 1)}`,
    fetchFrom: HA_CORE_STANDS_IN,
  });
  await ha.start();
  cleanups.push(() => ha.stop());
  // The entry is made when the camera registers, before the page opens.
  const started = serve(ha);
  await waitFor(() => ha.entries.size === 1, 'the entry made by itself');
  const { page } = await started;
  await page.waitForSelector(`${section}[data-state="created"]`);
  assert.equal(await page.isVisible(button), true, 'the button is there');
  assert.equal((await page.textContent(button))?.trim(), 'Show live in Home Assistant');
  assert.match((await page.textContent(`${section} [data-field="live-entity"]`)) ?? '', /live in Home Assistant/);
  await page.locator(section).screenshot({ path: `${ARTIFACTS}live-entity-created.png` });

  // Deleted in HA by the user; the button makes it again.
  const [first] = [...ha.entries.keys()];
  ha.deleteAsUser(first ?? '');
  await page.click(button);
  await waitFor(() => ha.entries.size === 1, 'made again');
  assert.notEqual([...ha.entries.keys()][0], first, 'a new entry');
  await page.waitForSelector(`${section}[data-state="created"][data-problem="false"]`);

  // HA Core down: the press says so, nothing is lost.
  ha.deleteAsUser([...ha.entries.keys()][0] ?? '');
  ha.coreMode = 'down';
  await page.click(button);
  await page.waitForSelector(`${section}[data-problem="true"]`);
  assert.match((await page.textContent(`${section} [data-field="live-entity"]`)) ?? '', /Home Assistant not reachable: .*502/);
  await page.locator(section).screenshot({ path: `${ARTIFACTS}live-entity-unreachable.png` });
  ha.coreMode = 'up';
  await page.click(button);
  await page.waitForSelector(`${section}[data-state="created"][data-problem="false"]`);
  assert.equal(ha.entries.size, 1);
});

test('outside the Supervisor the section is hidden; without homeassistant_api it explains and has no button', async () => {
  const plain = await serve(undefined);
  // The state arrives (data-state set by render) and the section stays hidden.
  await plain.page.waitForSelector(`${section}[data-state="not-supervised"]`, { state: 'attached' });
  assert.equal(await plain.page.isHidden(section), true);

  const ha = new HaCoreStandin({ homeassistantApi: false });
  await ha.start();
  cleanups.push(() => ha.stop());
  const denied = await serve(ha);
  await denied.h.app.liveEntities?.idle();
  await denied.page.click('#viewer-close');
  await denied.page.click(`article.tile[data-camera-id="${CAM}"] .tile-open`);
  await denied.page.waitForSelector(`${section}[data-state="no-core-api"]`);
  assert.equal(await denied.page.isVisible(section), true);
  assert.equal(await denied.page.isHidden(button), true);
  assert.match((await denied.page.textContent(`${section} [data-field="live-entity"]`)) ?? '', /homeassistant_api/);
  assert.equal(ha.coreCalls.length, 0);
});
