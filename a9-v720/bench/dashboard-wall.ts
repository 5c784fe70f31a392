/**
 * Issue 14 benchmark: the dashboard's camera wall in Debian's Chromium against the compiled server
 * with N demo cameras (`--demo N`, mixed camera profiles). Every camera first gets a cached frame
 * (one snapshot each, retried once), so every tile has a picture to load. Prints:
 *  - time to the first full grid: all N tiles in the DOM, and every tile on screen showing its
 *    picture (off-screen tiles load when scrolled near, by design), measured in the page from
 *    navigation start;
 *  - the page's CPU over a window (default 60 s) while W cameras stream to viewers elsewhere (their
 *    tiles follow new frames) — CDP Performance metrics (TaskDuration, ScriptDuration, layout and
 *    style time), plus the tile pictures loaded, DOM nodes and JS heap;
 *  - the server process's CPU over the same window.
 * Run: npx tsx bench/dashboard-wall.ts [--cameras 50] [--watched 5] [--seconds 60] [--width 1920] [--height 1080]
 * Loopback only.
 */
import http from 'node:http';
import { launchChromium } from '../test/support/chromium.js';
import { CpuMeter, numberArg, sleep, startServerProcess } from './support.js';

const cameraCount = numberArg('cameras', 50);
const watched = numberArg('watched', 5);
const seconds = numberArg('seconds', 60);
const width = numberArg('width', 1920);
const height = numberArg('height', 1080);

interface CameraSummary {
  id: string;
  online: boolean;
  frame?: { seq: number };
}

const server = await startServerProcess({ log_level: 'warn' }, ['--demo', String(cameraCount)]);
const base = `http://127.0.0.1:${server.ports.web}`;
const list = async (): Promise<CameraSummary[]> => (await (await fetch(`${base}/api/cameras`)).json()) as CameraSummary[];

try {
  const deadline = Date.now() + 60_000;
  while ((await list()).filter((c) => c.online).length < cameraCount) {
    if (Date.now() > deadline)
      throw new Error(`only ${(await list()).filter((c) => c.online).length} of ${cameraCount} demo cameras came online`);
    await sleep(250);
  }
  const cameras = await list();
  // One snapshot per camera fills the latest-frame cache, as if each had been watched once. The
  // demo mixes camera profiles (lossy Wi-Fi among them): a failed snapshot is retried once, and a
  // camera still without a frame keeps its placeholder, as it would at home.
  const snapshotFailures: string[] = [];
  for (let i = 0; i < cameras.length; i += 10) {
    await Promise.all(
      cameras.slice(i, i + 10).map(async ({ id }) => {
        for (let attempt = 1; attempt <= 2; attempt++) {
          const res = await fetch(`${base}/api/cameras/${id}/snapshot`);
          await res.arrayBuffer();
          if (res.status === 200) return;
          snapshotFailures.push(`${id}: HTTP ${res.status} (attempt ${attempt})`);
        }
      }),
    );
  }
  const withFrames = (await list()).filter((c) => c.frame).length;
  // Let the snapshot streams linger out, so the grid measurement starts from a quiet server.
  await sleep(6000);

  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  let frameRequests = 0;
  page.on('request', (request) => {
    if (/\/api\/cameras\/[^/]+\/frame\?/.test(request.url())) frameRequests++;
  });

  await page.goto(`${base}/`);
  const tilesAt = await page.waitForFunction(
    (n) => (document.querySelectorAll('#tiles article.tile').length === n ? performance.now() : false),
    cameraCount,
    { polling: 'raf', timeout: 60_000 },
  );
  const gridAt = await page.waitForFunction(
    () => {
      const tiles = Array.from(document.querySelectorAll<HTMLElement>('#tiles article.tile'));
      const onScreen = tiles.filter((tile) => tile.dataset.visible === 'true');
      // Settled: the picture is shown, or the camera has none and offers "Take snapshot" instead.
      // (No named helper: the bundler would wrap it in a __name() call the page does not have.)
      return onScreen.length > 0 &&
        onScreen.every((tile) => tile.dataset.picture === 'true' || tile.querySelector<HTMLElement>('.tile-snapshot')?.hidden === false)
        ? [performance.now(), onScreen.length, onScreen.filter((tile) => tile.dataset.picture === 'true').length]
        : false;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const [gridMs, onScreen, onScreenPictures] = (await gridAt.jsonValue()) as [number, number, number];
  const tilesMs = (await tilesAt.jsonValue()) as number;
  const columns = await page.$eval('#tiles', (grid) => getComputedStyle(grid).gridTemplateColumns.split(' ').length);
  const navigation = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { domContentLoaded: nav?.domContentLoadedEventEnd ?? Number.NaN, load: nav?.loadEventEnd ?? Number.NaN };
  });

  // Someone watches W cameras elsewhere (HA, go2rtc): their tiles follow, the others stay still.
  const viewers = (await list())
    .filter((camera) => camera.frame)
    .slice(0, watched)
    .map(({ id }) => {
      const request = http.get({ host: '127.0.0.1', port: server.ports.web, path: `/api/cameras/${id}/stream` }, (res) => res.resume());
      request.on('error', () => undefined);
      return request;
    });
  await sleep(3000);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  const metrics = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  const framesBefore = frameRequests;
  const serverCpu = new CpuMeter(server.child.pid!);
  await sleep(seconds * 1000);
  const after = await metrics();
  const serverPercent = serverCpu.sample();
  const framesLoaded = frameRequests - framesBefore;
  for (const viewer of viewers) viewer.destroy();

  const span = after['Timestamp']! - before['Timestamp']!;
  const delta = (name: string): number => after[name]! - before[name]!;
  const pct = (name: string): string => `${((delta(name) / span) * 100).toFixed(2)} %`;
  const ms = (value: number): string => `${Math.round(value)} ms`;

  console.log(
    `dashboard wall: ${cameraCount} demo cameras (${withFrames} with a cached frame), Chromium ${browser.version()} headless, viewport ${width}×${height}, ${columns} columns`,
  );
  console.log(`  time to ${cameraCount} tiles in the DOM:          ${ms(tilesMs)} after navigation start`);
  console.log(
    `  time to first full grid (${onScreen} tiles on screen, ${onScreenPictures} of them with a picture, all loaded): ${ms(gridMs)}`,
  );
  console.log(`  DOMContentLoaded ${ms(navigation.domContentLoaded)}, load ${ms(navigation.load)}`);
  console.log(`  page over ${span.toFixed(1)} s with ${watched} cameras watched elsewhere:`);
  console.log(`    CPU (TaskDuration / wall time):   ${pct('TaskDuration')}  (${ms(delta('TaskDuration') * 1000)} busy)`);
  console.log(
    `    script ${pct('ScriptDuration')}, layout ${pct('LayoutDuration')}, style ${pct('RecalcStyleDuration')}; layouts ${delta('LayoutCount')}, style recalcs ${delta('RecalcStyleCount')}`,
  );
  console.log(`    tile pictures reloaded: ${framesLoaded} (${(framesLoaded / span).toFixed(2)}/s)`);
  console.log(
    `    DOM nodes ${after['Nodes']}, JS heap used ${(after['JSHeapUsedSize']! / 1024 / 1024).toFixed(1)} MB, event listeners ${after['JSEventListeners']}`,
  );
  console.log(`  server process CPU over the window: ${serverPercent.toFixed(1)} % of one core`);
  console.log(
    `  snapshot failures while filling the cache: ${snapshotFailures.length}${snapshotFailures.length ? ` (${snapshotFailures.join('; ')})` : ''}`,
  );
  console.log(`  page errors: ${errors.length}${errors.length ? ` (${errors.slice(0, 3).join(' | ')})` : ''}`);
  await browser.close();
} finally {
  await server.stop();
}
if (server.problems.length > 0) console.log(`server warnings: ${server.problems.length} (first: ${server.problems[0]?.slice(0, 300)})`);
