/**
 * The setup view's diagnosis end to end: the whole server on 127.0.0.1, simulated cameras that
 * stop at each step of the way in (only bootstrap, registered without UDP, getDevInfo-only
 * firmware, one that streams), a fake DNS server on a random local port, `GET/POST /api/setup`,
 * the log lines, and an attacker hammering the DNS re-check.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createResolver } from '../../src/camera/setup/dns-check.js';
import type { JourneyView } from '../../src/camera/setup/diagnosis.js';
import type { SetupAnswer } from '../../src/web/setup-routes.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { startFakeDns, type FakeDns } from '../support/fake-dns.js';
import { openMjpeg, taggedFrames, type MjpegViewer } from '../support/media-client.js';

const BOOT = { id: '0800c0E00001', ip: '127.0.0.41' };
const NO_UDP = { id: '0800c0E00002', ip: '127.0.0.42' };
const DEV_INFO = { id: '56000b00054B', ip: '127.0.0.43' };
const FINE = { id: '0800c0E00004', ip: '127.0.0.44' };

let dns: FakeDns;
let h: Harness;
let viewer: MjpegViewer | undefined;

const setupUrl = (): string => `http://127.0.0.1:${h.app.ports.web}/api/setup`;

async function getSetup(): Promise<SetupAnswer> {
  const response = await fetch(setupUrl());
  assert.equal(response.status, 200, 'GET /api/setup answers');
  return (await response.json()) as SetupAnswer;
}

async function postSetup(): Promise<SetupAnswer> {
  const response = await fetch(setupUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(response.status, 200, 'POST /api/setup answers');
  return (await response.json()) as SetupAnswer;
}

/** Polls the API until `done` holds for the report. */
async function setupWhen(done: (report: SetupAnswer) => boolean, what: string): Promise<SetupAnswer> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const report = await getSetup();
    if (done(report)) return report;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(report, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const journey = (report: SetupAnswer, id: string): JourneyView | undefined => report.cameras.find((c) => c.id === id);
const statuses = (view: JourneyView | undefined): string[] => view?.steps.map((s) => `${s.step}:${s.status}`) ?? [];
/** The setup check's info and warn lines (its debug line per DNS run is not a problem line). */
const setupLines = (): string[] => h.log.lines.filter((line) => line['part'] === 'setup' && line.level >= 30).map((line) => line.msg);

describe('setup diagnosis with simulated cameras and a fake DNS server', () => {
  before(async () => {
    dns = await startFakeDns({
      'v720.naxclow.com': { kind: 'a', addresses: ['127.0.0.1'] },
      'v720.p2p.naxclow.com': { kind: 'a', addresses: ['47.88.1.3'] },
    });
    h = await startHarness(
      {},
      {
        dnsResolver: createResolver([dns.server], 500),
        setupTiming: { bootstrapGraceMs: 1500, udpGraceMs: 1000, frameGraceMs: 3000, evaluateEveryMs: 200, dnsMinIntervalMs: 2000 },
      },
    );
  });

  after(async () => {
    viewer?.close();
    await h?.stop();
    await dns?.close();
  });

  it('before any camera: DNS rows from the fake server, the view would open by itself, one log line per problem', async () => {
    const report = await setupWhen((r) => r.dns.checkedAt !== undefined, 'the first DNS check');
    assert.equal(report.everRegistered, false);
    assert.deepEqual(
      report.dns.rows.map((row) => [row.name, row.verdict]),
      [
        ['v720.naxclow.com', 'this-host'],
        ['v720.p2p.naxclow.com', 'vendor-cloud'],
        ['p2p.v720.naxclow.com', 'nowhere'],
        ['dl2.naxclow.com', 'nowhere'],
        ['home.naxclow.com', 'nowhere'],
        ['dl2.naxclow.com.cn', 'nowhere'],
        ['logo.naxclow.com.cn', 'nowhere'],
        ['prod.glbs.xcthings.com', 'nowhere'],
      ],
    );
    assert.deepEqual(
      [...new Set(dns.queries)].sort(),
      report.dns.rows.map((row) => row.name).sort(),
      'the fake server was asked each name',
    );
    assert.equal(report.ports.mode, 'standalone');
    assert.deepEqual(
      report.problems.map((p) => p.key),
      ['dns:cloud:naxclow.com', 'ports:80/tcp', 'ports:6123/tcp', 'ports:6123/udp'],
      'the harness binds random ports: outside HA they are warnings',
    );
    await waitFor(() => setupLines().length >= 4, 'the problems logged after the first DNS check');
    assert.deepEqual(
      setupLines().filter((msg) => msg.startsWith('setup warning:')).length,
      4,
      `one line per problem: ${JSON.stringify(setupLines())}`,
    );
    assert.equal(
      setupLines()[0],
      'setup warning: v720.p2p.naxclow.com does not point at this host: cameras can still reach the vendor cloud there (its MQTT broker, firmware updates that can end local use); point *.naxclow.com at 127.0.0.1 (see DOCS §1 DNS)',
    );
  });

  it('each camera stops where the simulator makes it stop, with the likely cause; the streaming one goes all the way', async () => {
    const boot = h.camera(BOOT.id, { localAddress: BOOT.ip, bootstrapFlow: 'bootstrap-only', firmware: '202212011602' });
    const noUdp = h.camera(NO_UDP.id, { localAddress: NO_UDP.ip, udpBlocked: true });
    const devInfo = h.camera(DEV_INFO.id, { localAddress: DEV_INFO.ip, bootstrapFlow: 'mqtt-only', firmware: '202411152039' });
    const fine = h.camera(FINE.id, { localAddress: FINE.ip, frames: taggedFrames(FINE.id), fps: 10 });
    await Promise.all([boot.start(), noUdp.start(), devInfo.start(), fine.start()]);
    await waitFor(() => h.app.registry.get(FINE.id)?.online === true, 'the fine camera online');
    viewer = openMjpeg(h.app.ports.web, FINE.id);
    await waitFor(() => (viewer?.parts.length ?? 0) >= 1, 'a frame of the fine camera');

    const report = await setupWhen(
      (r) =>
        journey(r, BOOT.id)?.stoppedAt === 'registration' &&
        journey(r, NO_UDP.id)?.stoppedAt === 'probe' &&
        journey(r, DEV_INFO.id)?.stoppedAt === 'bootstrap' &&
        journey(r, FINE.id)?.steps.every((s) => s.status === 'done') === true,
      'every journey at its end',
    );
    assert.equal(report.everRegistered, true);

    const bootView = journey(report, BOOT.id);
    assert.deepEqual(statuses(bootView), ['bootstrap:done', 'registration:stopped', 'probe:not-reached', 'frame:not-reached']);
    assert.match(
      bootView?.steps[0]?.detail ?? '',
      /^getA9ConfCheck (just now|\d+ s ago) from 127\.0\.0\.41, firmware 202212011602, sent to 127\.0\.0\.1:\d+$/,
    );
    assert.match(
      bootView?.cause ?? '',
      /^asked for its server (just now|\d+ s ago) but never opened TCP 6123 \(we sent it to 127\.0\.0\.1:\d+\): is 6123\/tcp mapped/,
    );

    const noUdpView = journey(report, NO_UDP.id);
    assert.deepEqual(statuses(noUdpView), ['bootstrap:done', 'registration:done', 'probe:stopped', 'frame:not-reached']);
    assert.match(
      noUdpView?.cause ?? '',
      /^TCP registered, no UDP after the NAT request (just now|\d+ s ago): is 6123\/udp mapped to this host and not blocked\?$/,
    );

    const devInfoView = journey(report, DEV_INFO.id);
    assert.deepEqual(statuses(devInfoView), ['bootstrap:stopped', 'registration:not-reached', 'probe:not-reached', 'frame:not-reached']);
    assert.equal(
      devInfoView?.cause,
      'sent only getDevInfo (firmware 202411152039): firmware that does this (202411152039, 202411201737 or later) never opens the control channel and is not supported',
    );

    const fineView = journey(report, FINE.id);
    assert.equal(fineView?.cause, undefined);
    assert.match(fineView?.steps[3]?.detail ?? '', /^first frame (just now|\d+ s ago)$/);

    const cameraProblems = report.problems.filter((p) => p.camera !== undefined);
    assert.deepEqual(
      cameraProblems.map((p) => [p.key, p.severity, p.docs.anchor]),
      [
        [`camera:${BOOT.id}:registration`, 'error', '#ports'],
        [`camera:${NO_UDP.id}:probe`, 'error', '#ports'],
        [`camera:${DEV_INFO.id}:bootstrap`, 'error', '#firmware'],
      ],
    );
    assert.equal(report.problem, true);
    assert.match(report.summary, /^3 errors, 4 warnings; first: camera 0800c0E00001 \(127\.0\.0\.41\) asked for its server/);

    // Each new problem is one warn line once, not repeated by the evaluations that follow.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const errors = setupLines().filter((msg) => msg.startsWith('setup error:'));
    assert.equal(errors.length, 3, JSON.stringify(errors));
    for (const id of [BOOT.id, NO_UDP.id, DEV_INFO.id]) assert.equal(errors.filter((msg) => msg.includes(id)).length, 1, id);
    const warnLines = h.log.problems().filter((line) => line['part'] === 'setup');
    assert.equal(warnLines.length, 3, 'errors are logged at warn, warnings at info');
    for (const line of warnLines) assert.equal(line['severity'], 'error', line.msg);
  });

  it('POST re-runs DNS on demand, once per interval however often it is asked (an attacker cannot make a DNS flood)', async () => {
    // Fix the cloud name in the fake DNS; the next DNS run must see it.
    dns.records.set('v720.p2p.naxclow.com', { kind: 'a', addresses: ['127.0.0.1'] });
    const first = await getSetup();
    // The minimum interval (2 s here) since the last run must pass first.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2100 - (Date.now() - (first.dns.checkedAt ?? 0)))));
    const before = dns.queries.length;
    const answers = await Promise.all(Array.from({ length: 40 }, () => postSetup()));
    assert.equal(dns.queries.length - before, 8, 'one DNS run of eight names for forty requests');
    assert.ok(
      answers.some((a) => a.refreshed === true),
      'the run was made for these requests',
    );
    for (const answer of answers) {
      assert.equal(
        answer.dns.rows.find((row) => row.name === 'v720.p2p.naxclow.com')?.verdict,
        'this-host',
        'every answer has the new DNS',
      );
    }
    const again = await postSetup();
    assert.equal(again.refreshed, false, 'within the interval the last answers are reused');
    assert.equal(dns.queries.length - before, 8, 'no DNS query for it');
    assert.equal(
      again.problems.some((p) => p.key === 'dns:cloud:naxclow.com'),
      false,
    );
    await waitFor(() => setupLines().some((msg) => msg.startsWith('setup problem solved: v720.p2p.naxclow.com')), 'the solved line');
  });

  it("GET /api/setup is the panel's: refused to LAN clients like the rest of the API", async () => {
    // fetch() does not let a page set Host; a raw request does, as a rebinding attacker's browser would send it.
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: h.app.ports.web, path: '/api/setup', headers: { host: 'attacker.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(status, 403, 'a foreign Host (DNS rebinding) is refused');
  });
});
