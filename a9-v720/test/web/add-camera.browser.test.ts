/**
 * The "Add a camera" dialog in headless Chromium against the whole server: the header button
 * opens it, the form refuses what the camera cannot take (with the same sentences as the server),
 * and a valid form downloads a9-pair.py whose filled-in values python3 reads back exactly —
 * then that very file pairs a simulated access-point camera.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ApCamera } from '../../src/simulator/ap-camera.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { launchChromium } from '../support/chromium.js';
import { runHelper } from '../support/python-helper.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const UI_TIMEOUT_MS = 15_000;

let h: Harness;
let browser: Browser;
let page: Page;
let work: string;
const pageErrors: string[] = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'a9-add-camera-'));
  h = await startHarness();
  browser = await launchChromium();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${h.app.ports.web}/`);
});
after(async () => {
  await browser?.close();
  await h.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Python's view of the file's filled-in defaults. */
function presets(file: string): unknown {
  const program = [
    'import importlib.util, json, sys',
    'spec = importlib.util.spec_from_file_location("a9pair", sys.argv[1])',
    'module = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(module)',
    'print(json.dumps([module.PRESET_SSID, module.PRESET_PASSWORD]))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program, file], { encoding: 'utf8', timeout: 20_000 }));
}

test('the header button opens the dialog with the 2.4 GHz hint and the steps', async () => {
  await page.getByRole('button', { name: 'Add a camera' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a camera' });
  await dialog.waitFor({ state: 'visible' });
  assert.match((await page.textContent('#pair-ssid-hint')) ?? '', /only joins 2\.4 GHz Wi-Fi/);
  const steps = await page.$$eval('#pair-steps li', (items) => items.map((item) => item.textContent ?? ''));
  assert.equal(steps.length, 5, steps.join('\n'));
  assert.match(steps[0]!, /^Reset the camera/);
  assert.match(steps[1]!, /Nax_… or MV…/);
  assert.match(steps[2]!, /python3 a9-pair\.py/);
  assert.match(steps[4]!, /the camera appears/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pair-ssid', 'the name field has the focus');
});

test('the form refuses what the camera cannot take, with the reason, and downloads nothing', async () => {
  let downloads = 0;
  page.on('download', () => downloads++);
  const attempt = async (ssid: string, password: string): Promise<string> => {
    await page.fill('#pair-ssid', ssid);
    await page.fill('#pair-password', password);
    await page.click('#pair-download');
    return (await page.textContent('#pair-error')) ?? '';
  };
  assert.equal(await attempt('', '12345678'), 'Check: the Wi-Fi name is empty.');
  assert.equal(await page.getAttribute('#pair-ssid', 'aria-invalid'), 'true');
  assert.equal(await attempt('é'.repeat(17), '12345678'), 'Check: the Wi-Fi name is 34 bytes long; a Wi-Fi name has at most 32 bytes.');
  assert.equal(await attempt('Home', 'short'), 'Check: the Wi-Fi password has 5 characters; the camera needs 8 to 36.');
  assert.equal(await page.getAttribute('#pair-password', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pair-password', 'the field to fix has the focus');
  assert.equal(await attempt('Home', 'x'.repeat(37)), 'Check: the Wi-Fi password has 37 characters; the camera needs 8 to 36.');
  // Fixing the field clears the message as the user types.
  await page.fill('#pair-password', 'x'.repeat(36));
  assert.equal(await page.textContent('#pair-error'), '');
  assert.equal(downloads, 0, 'no download for a refused form');
  assert.deepEqual(pageErrors, []);
});

test('a valid form downloads a9-pair.py with the values in it; that file pairs an access-point camera', async () => {
  const ssid = 'Café "Wi\\Fi"';
  const password = `it's "q" \\ ✓ 📶 ok`;
  await page.fill('#pair-ssid', ssid);
  await page.fill('#pair-password', password);
  await page.check('#pair-show');
  assert.equal(await page.getAttribute('#pair-password', 'type'), 'text', '"show" reveals the password');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#pair-download')]);
  assert.equal(download.suggestedFilename(), 'a9-pair.py');
  const file = path.join(work, 'a9-pair.py');
  await download.saveAs(file);
  assert.ok(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env python3\n'), 'the saved file is the helper');
  assert.match((await page.textContent('#pair-status')) ?? '', /Downloaded a9-pair\.py/);
  assert.deepEqual(presets(file), [ssid, password], 'python3 reads back exactly what was typed');
  await page.screenshot({ path: path.join(ARTIFACTS, 'add-camera.png') });

  const id = '0800c0B00001';
  const ap = new ApCamera({
    id,
    networks: [{ ssid, password, server: { host: '127.0.0.1', httpPort: h.app.ports.http } }],
    station: { heartbeatMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000 },
  });
  const port = await ap.start();
  try {
    const run = await runHelper(['--camera', `127.0.0.1:${port}`], { file });
    assert.equal(run.code, 0, run.stderr);
    await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online after pairing`);
    // The panel shows it without a reload.
    await page.click('#pair-close');
    assert.equal(await page.isVisible('#add-camera'), false, 'the dialog closed');
    await page.waitForSelector(`article.tile[data-camera-id="${id}"]`);
  } finally {
    ap.stop();
  }
  assert.deepEqual(pageErrors, []);
});
