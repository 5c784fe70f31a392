/**
 * Makes the README's dashboard screenshots: the server (from src, via tsx) with eight demo cameras
 * on 127.0.0.1, a few of them named, most with a cached picture (one snapshot each), two watched
 * by a viewer elsewhere, one left without a picture. Writes docs/screenshots/*.png at the repo root.
 * Run inside a9-v720/: npx tsx tools/dashboard-screenshots.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startFakeDns } from '../test/support/fake-dns.js';

const ADDON_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const NAMES = ['Front door', 'Garden', 'Garage', 'Driveway', 'Hallway', 'Baby room'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'a9-screens-'));
// The Setup view's DNS rows come from a local fake DNS server, never a real one: the rewrite in
// place, one cloud name left over (a warning to show).
const dns = await startFakeDns({
  'v720.naxclow.com': { kind: 'a', addresses: ['127.0.0.1'] },
  'v720.p2p.naxclow.com': { kind: 'a', addresses: ['47.88.1.3'] },
});
const web = await freePort();
writeFileSync(
  path.join(dataDir, 'options.yaml'),
  `http_port: ${await freePort()}\ntcp_port: ${await freePort()}\nweb_port: ${web}\nserver_ip: 127.0.0.1\nlog_level: warn\n`,
);
const server = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/main.ts',
    '--demo',
    '8',
    '--options',
    path.join(dataDir, 'options.yaml'),
    '--data-dir',
    dataDir,
    '--listen',
    '127.0.0.1',
    '--dns-server',
    dns.server,
  ],
  {
    cwd: ADDON_DIR,
    stdio: 'inherit',
  },
);
const base = `http://127.0.0.1:${web}`;
const viewers: http.ClientRequest[] = [];
try {
  let cameras: { id: string; online: boolean }[] = [];
  for (const deadline = Date.now() + 60_000; cameras.filter((c) => c.online).length < 8; await sleep(250)) {
    if (Date.now() > deadline) throw new Error('the demo cameras did not come online');
    cameras = await fetch(`${base}/api/cameras`)
      .then((r) => r.json() as Promise<typeof cameras>)
      .catch(() => []);
  }
  for (const [i, camera] of cameras.entries()) {
    const name = NAMES[i];
    if (name)
      await fetch(`${base}/api/cameras/${camera.id}/name`, {
        method: 'PUT',
        body: JSON.stringify({ name }),
        headers: { 'content-type': 'application/json' },
      });
    // All but the last camera have been watched once: the last one shows the placeholder.
    if (i < cameras.length - 1) await fetch(`${base}/api/cameras/${camera.id}/snapshot`).then((r) => r.arrayBuffer());
  }
  for (const camera of cameras.slice(1, 3)) {
    const request = http.get(`${base}/api/cameras/${camera.id}/stream`, (res) => res.resume());
    request.on('error', () => undefined);
    viewers.push(request);
  }
  await sleep(4000);

  mkdirSync(OUT_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const shots = [
    { file: 'dashboard-desktop.png', options: { viewport: { width: 1280, height: 800 } } },
    {
      file: 'dashboard-phone.png',
      options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    { file: 'dashboard-desktop-dark.png', options: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const } },
  ];
  for (const { file, options } of shots) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('#tiles article.tile[data-picture="true"]');
    await sleep(2500);
    await page.screenshot({ path: path.join(OUT_DIR, file) });
    await context.close();
  }
  // The "Add a camera" dialog with example values (never a real password in a screenshot).
  {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.click('#add-camera-open');
    await page.fill('#pair-ssid', 'Home Wi-Fi');
    await page.fill('#pair-password', 'example-password');
    await page.screenshot({ path: path.join(OUT_DIR, 'add-camera.png') });
    await context.close();
  }
  // Last: the live view keeps its camera streaming for a few seconds after it closes.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.click('#tiles article.tile .tile-open');
  await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('#viewer-image')?.naturalWidth ?? 0) > 0);
  await sleep(1000);
  await page.screenshot({ path: path.join(OUT_DIR, 'dashboard-live-view.png') });
  await context.close();
  // The Setup view, opened from the header: DNS, ports, each camera's way in.
  const setup = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const setupPage = await setup.newPage();
  await setupPage.goto(`${base}/`);
  await setupPage.waitForSelector('#setup[data-loaded="true"]', { state: 'attached' });
  await setupPage.click('#setup-toggle');
  await setupPage.waitForSelector('#setup:not([hidden]) article.journey');
  await setupPage.click('#setup .setup-dns tr[data-verdict="vendor-cloud"] details.fixes summary');
  await setupPage.screenshot({ path: path.join(OUT_DIR, 'setup-view.png'), fullPage: true });
  await setup.close();
  await browser.close();
  console.log(`screenshots written to ${OUT_DIR}`);
} finally {
  for (const viewer of viewers) viewer.destroy();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  await dns.close();
}
