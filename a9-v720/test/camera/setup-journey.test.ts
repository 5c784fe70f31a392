/**
 * The journey book follows a real registry (bounded as it is), and the setup monitor's log stays
 * bounded when a LAN host makes up camera ids by the hundred.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CameraRegistry } from '../../src/camera/registry.js';
import { createResolver } from '../../src/camera/setup/dns-check.js';
import { JourneyBook } from '../../src/camera/setup/journey.js';
import { SetupMonitor, statusOf, MAX_STATUS_PROBLEMS } from '../../src/camera/setup/setup-monitor.js';
import { diagnose } from '../../src/camera/setup/diagnosis.js';
import { captureLog } from '../support/log-capture.js';
import { startFakeDns } from '../support/fake-dns.js';
import { within } from '../support/within.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('JourneyBook', () => {
  it('records each step from the registry and the bootstrap; a new registration starts the later steps again', () => {
    const time = clock();
    const registry = new CameraRegistry(time.now);
    const book = new JourneyBook(registry, time.now);
    const stop = book.follow();
    const id = '0800c00128F8';

    book.bootstrapRequest(id, { ip: '10.0.0.5', endpoint: 'getA9ConfCheck' });
    assert.equal(book.get(id), undefined, 'an id the registry does not hold gets no journey');
    registry.noteBootstrap(id, '10.0.0.5', '202212011602');
    book.bootstrapRequest(id, { ip: '10.0.0.5', endpoint: 'getA9ConfCheck', firmware: '202212011602', sentTo: '10.0.0.2:6123' });
    time.advance(10);
    book.bootstrapRequest(id, { ip: '10.0.0.5', endpoint: 'confirm' });
    book.bootstrapRequest(id, { ip: '10.0.0.5', endpoint: 'getA9ConfCheck' });
    assert.deepEqual(book.get(id), {
      id,
      endpoints: ['getA9ConfCheck', 'confirm'],
      http: { ip: '10.0.0.5', endpoint: 'getA9ConfCheck', at: 1_000_010 },
    });
    book.frame(id);
    assert.equal(book.get(id)?.firstFrameAt, undefined, 'no frame counts before a registration');

    time.advance(10);
    registry.markOnline(id, '10.0.0.5', true);
    time.advance(10);
    registry.setState(id, 'nat');
    registry.mergeBaseInfo(id, { IrLed: 1 }); // an update without a state change is no step
    time.advance(10);
    registry.setState(id, 'probing');
    time.advance(10);
    registry.setState(id, 'command');
    registry.setState(id, 'streaming');
    time.advance(10);
    book.frame(id);
    time.advance(10);
    book.frame(id);
    assert.deepEqual(book.get(id), {
      id,
      endpoints: ['getA9ConfCheck', 'confirm'],
      http: { ip: '10.0.0.5', endpoint: 'getA9ConfCheck', at: 1_000_010 },
      registeredAt: 1_000_020,
      registeredIp: '10.0.0.5',
      natRequestAt: 1_000_030,
      probeAt: 1_000_040,
      streamOpenedAt: 1_000_050,
      firstFrameAt: 1_000_060,
      offlineAt: undefined,
      offlineReason: undefined,
    });

    registry.markOffline(id, 'connection closed');
    assert.equal(book.get(id)?.offlineReason, 'connection closed');
    assert.equal(book.get(id)?.offlineAt, 1_000_070);
    registry.setState(id, 'nat'); // offline: the registry ignores it, and so does the book
    time.advance(10);
    registry.markOnline(id, '10.0.0.6', true);
    const again = book.get(id);
    assert.equal(again?.registeredAt, 1_000_080);
    assert.equal(again?.registeredIp, '10.0.0.6');
    for (const key of ['natRequestAt', 'probeAt', 'streamOpenedAt', 'firstFrameAt', 'offlineAt', 'offlineReason'] as const) {
      assert.equal(again?.[key], undefined, `${key} starts again`);
    }
    registry.setState(id, 'nat');
    assert.equal(book.get(id)?.natRequestAt, 1_000_080, 'the first NAT request after the new registration counts');

    registry.remove(id);
    assert.equal(book.get(id), undefined, 'a forgotten camera leaves no journey');
    stop();
    registry.markOnline(id, '10.0.0.6', true);
    assert.equal(book.get(id), undefined, 'after follow() is undone, nothing is recorded');
    for (const event of ['online', 'state', 'offline', 'removed'] as const)
      assert.equal(registry.listenerCount(event), 0, `every subscription ended (${event})`);
  });

  it('is bounded by the registry: made-up ids by the hundred leave at most max_cameras journeys', () => {
    const registry = new CameraRegistry(Date.now, 8);
    const book = new JourneyBook(registry);
    const stop = book.follow();
    for (let i = 0; i < 500; i++) {
      const id = `0800c0${i.toString(16).padStart(6, '0').toUpperCase()}`;
      // The server reports every request; the book keeps only what the registry admitted.
      registry.noteBootstrap(id, `10.0.${i >> 8}.${i & 255}`, '202212011602');
      book.bootstrapRequest(id, { ip: '10.0.0.1', endpoint: 'getA9ConfCheck' });
    }
    assert.equal(registry.size, 8);
    assert.equal(book.size, 8, 'one journey per id the registry holds');
    stop();
  });
});

describe('SetupMonitor', () => {
  it('a flood of made-up cameras stuck after the bootstrap: at most ten lines per change and a budget over time', async (t) => {
    const dns = await startFakeDns({ 'v720.naxclow.com': { kind: 'a', addresses: ['10.0.0.2'] } });
    t.after(() => dns.close());
    const registry = new CameraRegistry(Date.now, 64);
    const book = new JourneyBook(registry);
    const stop = book.follow();
    const log = captureLog('debug');
    const monitor = new SetupMonitor({
      registry,
      journeys: book,
      resolver: createResolver([dns.server], 500),
      logger: log.logger,
      thisHost: () => ['10.0.0.2'],
      cameraAddress: () => '10.0.0.2',
      ports: () => ({ mode: 'addon', mapping: {}, mappingUnknown: false }),
      timing: { bootstrapGraceMs: 0, evaluateEveryMs: 20 },
    });
    const lines = (): string[] => log.lines.filter((line) => line.level >= 30).map((line) => line.msg);
    let next = 0;
    const bootstrapMany = (count: number): void => {
      for (let i = 0; i < count; i++, next++) {
        const id = `0800c0${next.toString(16).padStart(6, '0').toUpperCase()}`;
        registry.noteBootstrap(id, '10.0.0.66', '202212011602');
        book.bootstrapRequest(id, { ip: '10.0.0.66', endpoint: 'getA9ConfCheck' });
      }
    };
    bootstrapMany(64);
    await monitor.start();
    t.after(async () => {
      await monitor.stop();
      stop();
    });
    const logged = (async () => {
      while (!lines().some((msg) => msg.includes('more change(s)'))) await new Promise((resolve) => setTimeout(resolve, 20));
    })();
    await within(logged, 5000, 'the first evaluation');
    assert.equal(lines().filter((msg) => msg.startsWith('setup error:')).length, 10, 'ten problem lines for sixty-four problems');
    assert.equal(lines().at(-1), "setup: 54 more change(s) to the problem list not logged; the panel's Setup view lists them all");
    // Churn: every new id pushes an old one out, so the problem list changes at every evaluation.
    for (let round = 0; round < 40; round++) {
      bootstrapMany(16);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(lines().length <= 30, `the line budget holds: ${lines().length} lines`);
    assert.ok(log.problems().length <= 30, 'warn lines included');
    // The sensor's attribute list is bounded too.
    const status = monitor.status();
    assert.equal(status.problem, true);
    assert.equal(status.problems.length, MAX_STATUS_PROBLEMS + 1);
    assert.match(status.problems.at(-1) ?? '', /^… and \d+ more$/);
  });

  it('statusOf: the texts with their DOCS section, the summary, the error flag', () => {
    const report = diagnose({
      now: 0,
      thisHost: [],
      cameraAddress: '10.0.0.2',
      ports: { mode: 'addon', mapping: { '1234/tcp': null }, mappingUnknown: false },
      cameras: [],
    });
    assert.deepEqual(statusOf(report), {
      problem: false,
      problems: [
        'port 1234/tcp is disabled: the media URLs for other devices on the LAN do not work (the panel and Home Assistant still do) (DOCS §5 Ports)',
      ],
      summary: report.summary,
    });
  });
});
