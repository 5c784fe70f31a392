/**
 * The setup diagnosis, byte for byte: every DNS verdict, every port state, every place a camera's
 * journey can stop, and the sentences the panel, the log and Home Assistant show for them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ago,
  classifyAddress,
  DEFAULT_SETUP_TIMING,
  diagnose,
  dnsFixes,
  DOCS,
  journeyOf,
  zoneOf,
  type CameraFacts,
  type SetupInput,
} from '../../src/camera/setup/diagnosis.js';
import type { DnsAnswer, DnsOutcome } from '../../src/camera/setup/dns-check.js';
import type { CameraJourney } from '../../src/camera/setup/journey.js';

const NOW = Date.UTC(2026, 11, 7, 2, 0, 0);
const HOST = '192.168.1.5';
const OK_PORTS = { mode: 'addon', mapping: {}, mappingUnknown: false } as const;

const bootstrapName = (outcome: DnsOutcome): DnsAnswer => ({ name: 'v720.naxclow.com', role: 'bootstrap', outcome });
const cloudName = (name: string, outcome: DnsOutcome): DnsAnswer => ({ name, role: 'cloud', outcome });
const at = (...addresses: string[]): DnsOutcome => ({ kind: 'addresses', addresses });

function input(overrides: Partial<SetupInput>): SetupInput {
  return { now: NOW, thisHost: [HOST], cameraAddress: HOST, ports: OK_PORTS, cameras: [], ...overrides };
}

function camera(overrides: Partial<Omit<CameraFacts, 'journey'>> & { journey?: Partial<CameraJourney> }): CameraFacts {
  const { journey, ...rest } = overrides;
  return {
    id: '0800c00128F8',
    ip: '192.168.1.50',
    online: false,
    registered: false,
    lastSeen: NOW - 1000,
    ...rest,
    ...(journey ? { journey: { id: rest.id ?? '0800c00128F8', endpoints: [], ...journey } } : {}),
  };
}

const conf = (msAgo: number, extra: Partial<NonNullable<CameraJourney['http']>> = {}) => ({
  endpoints: ['getA9ConfCheck' as const],
  http: { at: NOW - msAgo, ip: '192.168.1.50', endpoint: 'getA9ConfCheck' as const, ...extra },
});

describe('words', () => {
  it('ago: seconds, minutes, hours, days; never negative', () => {
    const cases: Array<[number, string]> = [
      [-5000, 'just now'],
      [0, 'just now'],
      [4999, 'just now'],
      [5000, '5 s ago'],
      [59_999, '59 s ago'],
      [60_000, '1 min ago'],
      [3_599_999, '59 min ago'],
      [3_600_000, '1 h ago'],
      [47 * 3_600_000 + 3_599_999, '47 h ago'],
      [48 * 3_600_000, '2 days ago'],
      [71 * 3_600_000, '2 days ago'],
      [72 * 3_600_000, '3 days ago'],
    ];
    for (const [ms, text] of cases) assert.equal(ago(ms), text, String(ms));
  });

  it('classifyAddress: this host, the private and special ranges, the rest is the cloud', () => {
    const own = new Set([HOST, '47.1.1.1']);
    assert.equal(classifyAddress(HOST, own), 'this-host');
    assert.equal(classifyAddress('47.1.1.1', own), 'this-host', 'whatever the range, an own address is this host');
    const local = [
      '10.0.0.1',
      '127.0.0.1',
      '192.168.0.9',
      '172.16.0.1',
      '172.20.1.1',
      '172.31.255.1',
      '169.254.1.1',
      '100.64.0.1',
      '100.99.0.1',
      '100.127.0.1',
      '100.100.1.1',
      '100.110.1.1',
      '0.0.0.0',
    ];
    for (const address of local) assert.equal(classifyAddress(address, own), 'other-host', address);
    const cloud = [
      '47.88.1.2',
      '172.15.0.1',
      '172.32.0.1',
      '100.63.0.1',
      '100.128.0.1',
      '11.0.0.1',
      '192.169.0.1',
      '1.10.0.1',
      '8.127.0.1',
      '9.192.168.1',
      '5.169.254.1',
      '5.172.16.1',
      '5.100.64.1',
    ];
    for (const address of cloud) assert.equal(classifyAddress(address, own), 'vendor-cloud', address);
  });

  it('zoneOf: the zone a rewrite covers', () => {
    assert.equal(zoneOf('v720.p2p.naxclow.com'), 'naxclow.com');
    assert.equal(zoneOf('logo.naxclow.com.cn'), 'naxclow.com.cn');
    assert.equal(zoneOf('prod.glbs.xcthings.com'), 'xcthings.com');
    assert.equal(zoneOf('naxclow.com'), 'naxclow.com');
  });

  it('dnsFixes: one per kind of DNS server DOCS §1 covers, with the zone and this host', () => {
    assert.deepEqual(dnsFixes('dl2.naxclow.com.cn', '10.0.0.2'), [
      {
        server: 'AdGuard Home',
        text: 'Filters → DNS rewrites: add *.naxclow.com.cn → 10.0.0.2',
        docs: { section: 'DOCS §1 AdGuard Home', anchor: '#adguard-home' },
      },
      {
        server: 'Pi-hole',
        text: 'Settings → Local DNS Records: add dl2.naxclow.com.cn → 10.0.0.2 (or the dnsmasq line address=/naxclow.com.cn/10.0.0.2)',
        docs: { section: 'DOCS §1 Pi-hole', anchor: '#pi-hole' },
      },
      {
        server: 'dnsmasq / OpenWrt',
        text: 'address=/naxclow.com.cn/10.0.0.2',
        docs: { section: 'DOCS §1 dnsmasq', anchor: '#dnsmasq-and-openwrt' },
      },
      {
        server: 'Router',
        text: 'a local host name override dl2.naxclow.com.cn → 10.0.0.2 (or for all of naxclow.com.cn)',
        docs: { section: 'DOCS §1 Other routers', anchor: '#other-routers' },
      },
    ]);
  });

  it('the DOCS table: every section and anchor', () => {
    assert.deepEqual(DOCS, {
      ports: { section: 'DOCS §5 Ports', anchor: '#ports' },
      dns: { section: 'DOCS §1 DNS', anchor: '#1-dns-send-the-cameras-to-home-assistant' },
      adguard: { section: 'DOCS §1 AdGuard Home', anchor: '#adguard-home' },
      pihole: { section: 'DOCS §1 Pi-hole', anchor: '#pi-hole' },
      dnsmasq: { section: 'DOCS §1 dnsmasq', anchor: '#dnsmasq-and-openwrt' },
      router: { section: 'DOCS §1 Other routers', anchor: '#other-routers' },
      checkDns: { section: 'DOCS §1 Check it', anchor: '#check-it' },
      firmware: { section: 'DOCS §6 Firmware', anchor: '#firmware' },
    });
    assert.deepEqual(DEFAULT_SETUP_TIMING, { bootstrapGraceMs: 60_000, udpGraceMs: 10_000, frameGraceMs: 15_000 });
  });
});

describe('DNS', () => {
  it('every name at this host: rows without fixes, no problem; the camera address counts as this host', () => {
    const report = diagnose(
      input({
        thisHost: ['10.1.1.1'],
        dns: { checkedAt: NOW - 500, answers: [bootstrapName(at(HOST)), cloudName('dl2.naxclow.com', at('10.1.1.1', HOST))] },
      }),
    );
    assert.deepEqual(report.dns, {
      checkedAt: NOW - 500,
      rows: [
        {
          name: 'v720.naxclow.com',
          role: 'bootstrap',
          addresses: [HOST],
          verdict: 'this-host',
          text: 'points at this host (192.168.1.5)',
          fixes: [],
        },
        {
          name: 'dl2.naxclow.com',
          role: 'cloud',
          addresses: ['10.1.1.1', HOST],
          verdict: 'this-host',
          text: 'points at this host (10.1.1.1, 192.168.1.5)',
          fixes: [],
        },
      ],
    });
    assert.deepEqual(report.problems, []);
    assert.equal(report.problem, false);
  });

  it('not checked yet: no rows, no checkedAt, no DNS problem', () => {
    const report = diagnose(input({}));
    assert.deepEqual(report.dns, { rows: [] });
    assert.deepEqual(report.problems, []);
  });

  it('the bootstrap name at the vendor cloud while no camera got here: an error with the fix', () => {
    const report = diagnose(input({ dns: { checkedAt: NOW, answers: [bootstrapName(at('47.88.1.2'))] } }));
    assert.deepEqual(report.dns.rows[0], {
      name: 'v720.naxclow.com',
      role: 'bootstrap',
      addresses: ['47.88.1.2'],
      verdict: 'vendor-cloud',
      text: 'points at the vendor cloud (47.88.1.2), not at this host (192.168.1.5)',
      fixes: dnsFixes('v720.naxclow.com', HOST),
    });
    assert.deepEqual(report.problems, [
      {
        key: 'dns:v720.naxclow.com',
        severity: 'error',
        text: 'v720.naxclow.com points at the vendor cloud (47.88.1.2), not at this host (192.168.1.5), so cameras never reach the add-on: point *.naxclow.com at 192.168.1.5 in your DNS server',
        docs: DOCS.dns,
      },
    ]);
    assert.equal(report.problem, true);
    assert.equal(
      report.summary,
      '1 error; first: v720.naxclow.com points at the vendor cloud (47.88.1.2), not at this host (192.168.1.5), so cameras never reach the add-on: point *.naxclow.com at 192.168.1.5 in your DNS server',
    );
  });

  it('mixed answers: a public one makes it the cloud, a LAN one another host', () => {
    const rows = diagnose(
      input({
        dns: {
          checkedAt: NOW,
          answers: [bootstrapName(at(HOST, '47.88.1.2')), bootstrapName(at(HOST, '10.9.9.9'))],
        },
      }),
    ).dns.rows;
    assert.deepEqual(
      rows.map((row) => [row.verdict, row.text]),
      [
        ['vendor-cloud', 'points at the vendor cloud (192.168.1.5, 47.88.1.2), not at this host (192.168.1.5)'],
        ['other-host', 'points at 192.168.1.5, 10.9.9.9, which is not this host (192.168.1.5)'],
      ],
    );
  });

  it('the bootstrap name at another LAN host, or nowhere: errors; once a camera got here anyway: warnings', () => {
    const answers = [bootstrapName(at('192.168.1.9'))];
    assert.deepEqual(diagnose(input({ dns: { checkedAt: NOW, answers } })).problems, [
      {
        key: 'dns:v720.naxclow.com',
        severity: 'error',
        text: 'v720.naxclow.com points at 192.168.1.9, which is not this host (192.168.1.5), so cameras never reach the add-on: point *.naxclow.com at 192.168.1.5 in your DNS server',
        docs: DOCS.dns,
      },
    ]);
    const nowhere = diagnose(input({ dns: { checkedAt: NOW, answers: [bootstrapName({ kind: 'nxdomain' })] } }));
    assert.deepEqual(nowhere.dns.rows[0], {
      name: 'v720.naxclow.com',
      role: 'bootstrap',
      addresses: [],
      verdict: 'nowhere',
      text: 'resolves to nothing (no such name): cameras cannot find any server',
      fixes: dnsFixes('v720.naxclow.com', HOST),
    });
    assert.equal(
      nowhere.problems[0]?.text,
      'v720.naxclow.com resolves to nothing (no such name): cameras cannot find any server, so cameras never reach the add-on: point *.naxclow.com at 192.168.1.5 in your DNS server',
    );
    const noAddress = diagnose(input({ dns: { checkedAt: NOW, answers: [bootstrapName({ kind: 'no-address' })] } }));
    assert.equal(noAddress.dns.rows[0]?.text, 'resolves to nothing (no IPv4 address): cameras cannot find any server');
    assert.equal(noAddress.dns.rows[0]?.verdict, 'nowhere');

    // A camera known from before that has not come back since the start proves nothing: still an error.
    const restored = camera({ registered: true });
    assert.equal(diagnose(input({ dns: { checkedAt: NOW, answers }, cameras: [restored] })).problems[0]?.severity, 'error');
    // A camera that bootstrapped here uses another DNS server than Home Assistant: only a warning.
    for (const reached of [camera({ journey: conf(1000) }), camera({ online: true, registered: true })]) {
      const report = diagnose(input({ dns: { checkedAt: NOW, answers }, cameras: [reached] }));
      assert.deepEqual(
        report.problems.filter((p) => p.key.startsWith('dns:')),
        [
          {
            key: 'dns:v720.naxclow.com',
            severity: 'warning',
            text: "v720.naxclow.com points at 192.168.1.9, which is not this host (192.168.1.5) for Home Assistant's DNS, yet cameras do reach the add-on: they use another DNS server. Nothing to fix for them; for new cameras point *.naxclow.com at 192.168.1.5 in your DNS server",
            docs: DOCS.dns,
          },
        ],
      );
    }
  });

  it('a name that could not be checked is a warning; when none could, one warning says so', () => {
    const report = diagnose(
      input({
        dns: { checkedAt: NOW, answers: [bootstrapName({ kind: 'failed', code: 'ETIMEOUT' }), cloudName('dl2.naxclow.com', at(HOST))] },
      }),
    );
    assert.deepEqual(report.dns.rows[0], {
      name: 'v720.naxclow.com',
      role: 'bootstrap',
      addresses: [],
      verdict: 'unknown',
      text: 'could not be checked: DNS answered ETIMEOUT',
      fixes: [],
    });
    assert.deepEqual(report.problems, [
      {
        key: 'dns:v720.naxclow.com',
        severity: 'warning',
        text: 'v720.naxclow.com could not be checked: DNS answered ETIMEOUT',
        docs: DOCS.checkDns,
      },
    ]);
    const none = diagnose(
      input({
        dns: {
          checkedAt: NOW,
          answers: [
            bootstrapName({ kind: 'failed', code: 'ECONNREFUSED' }),
            cloudName('dl2.naxclow.com', { kind: 'failed', code: 'ECONNREFUSED' }),
          ],
        },
      }),
    );
    assert.deepEqual(none.problems, [
      {
        key: 'dns:unreachable',
        severity: 'warning',
        text: 'DNS could not be asked from the add-on (DNS answered ECONNREFUSED); check the names from a computer instead: nslookup v720.naxclow.com must answer 192.168.1.5',
        docs: DOCS.checkDns,
      },
    ]);
    assert.equal(none.problem, false, 'a warning is no error');
  });

  it('cloud names: one warning per zone past the add-on; nowhere or unknown is fine', () => {
    const report = diagnose(
      input({
        dns: {
          checkedAt: NOW,
          answers: [
            bootstrapName(at(HOST)),
            cloudName('v720.p2p.naxclow.com', at('47.88.1.3')),
            cloudName('dl2.naxclow.com', at('192.168.1.9')),
            cloudName('home.naxclow.com', { kind: 'nxdomain' }),
            cloudName('logo.naxclow.com.cn', { kind: 'failed', code: 'ESERVFAIL' }),
            cloudName('prod.glbs.xcthings.com', at('8.8.4.4')),
            cloudName('dl2.naxclow.com.cn', { kind: 'no-address' }),
          ],
        },
      }),
    );
    assert.deepEqual(
      report.dns.rows.map((row) => [row.name, row.verdict, row.text, row.fixes.length]),
      [
        ['v720.naxclow.com', 'this-host', 'points at this host (192.168.1.5)', 0],
        ['v720.p2p.naxclow.com', 'vendor-cloud', 'points at the vendor cloud (47.88.1.3), not at this host (192.168.1.5)', 4],
        ['dl2.naxclow.com', 'other-host', 'points at 192.168.1.9, which is not this host (192.168.1.5)', 4],
        [
          'home.naxclow.com',
          'nowhere',
          'resolves to nothing (no such name): the camera cannot reach the vendor cloud there, which is fine',
          0,
        ],
        ['logo.naxclow.com.cn', 'unknown', 'could not be checked: DNS answered ESERVFAIL', 0],
        ['prod.glbs.xcthings.com', 'vendor-cloud', 'points at the vendor cloud (8.8.4.4), not at this host (192.168.1.5)', 4],
        [
          'dl2.naxclow.com.cn',
          'nowhere',
          'resolves to nothing (no IPv4 address): the camera cannot reach the vendor cloud there, which is fine',
          0,
        ],
      ],
    );
    assert.deepEqual(report.problems, [
      {
        key: 'dns:cloud:naxclow.com',
        severity: 'warning',
        text: 'v720.p2p.naxclow.com, dl2.naxclow.com do not point at this host: cameras can still reach the vendor cloud there (its MQTT broker, firmware updates that can end local use); point *.naxclow.com at 192.168.1.5',
        docs: DOCS.dns,
      },
      {
        key: 'dns:cloud:xcthings.com',
        severity: 'warning',
        text: 'prod.glbs.xcthings.com does not point at this host: cameras can still reach the vendor cloud there (its MQTT broker, firmware updates that can end local use); point *.xcthings.com at 192.168.1.5',
        docs: DOCS.dns,
      },
    ]);
    assert.equal(report.summary.startsWith('2 warnings; first: v720.p2p.naxclow.com, dl2.naxclow.com do not'), true, report.summary);
  });
});

describe('ports', () => {
  it('add-on: defaults and host networking are fine; a moved 1234 is fine too', () => {
    const report = diagnose(input({ ports: { mode: 'addon', mapping: { '1234/tcp': 8123 }, mappingUnknown: false } }));
    assert.deepEqual(report.ports, {
      mode: 'addon',
      rows: [
        { port: '80/tcp', purpose: 'bootstrap: cameras ask here which server to use', hostPort: 80, verdict: 'ok', text: 'host port 80' },
        {
          port: '6123/tcp',
          purpose: 'control channel: registration, heartbeats, commands',
          hostPort: 6123,
          verdict: 'ok',
          text: 'host port 6123',
        },
        { port: '6123/udp', purpose: 'video and audio', hostPort: 6123, verdict: 'ok', text: 'host port 6123' },
        {
          port: '1234/tcp',
          purpose: 'media URLs on the LAN (the panel opens through Home Assistant)',
          hostPort: 8123,
          verdict: 'moved',
          text: 'mapped to host port 8123',
        },
      ],
    });
    assert.deepEqual(report.problems, []);
  });

  it('add-on: a moved or disabled camera port is an error, a disabled 1234 a warning', () => {
    const report = diagnose(
      input({
        ports: { mode: 'addon', mapping: { '80/tcp': 8080, '6123/tcp': null, '6123/udp': 6124, '1234/tcp': null }, mappingUnknown: false },
      }),
    );
    assert.deepEqual(
      report.ports.rows.map((row) => [row.port, row.hostPort, row.verdict, row.text]),
      [
        ['80/tcp', 8080, 'moved', 'mapped to host port 8080'],
        ['6123/tcp', null, 'disabled', "disabled in the add-on's Network settings"],
        ['6123/udp', 6124, 'moved', 'mapped to host port 6124'],
        ['1234/tcp', null, 'disabled', "disabled in the add-on's Network settings"],
      ],
    );
    assert.deepEqual(report.problems, [
      {
        key: 'ports:80/tcp',
        severity: 'error',
        text: "port 80/tcp (bootstrap: cameras ask here which server to use) is mapped to host port 8080 in the add-on's Network settings: cameras use fixed ports, set it back to 80",
        docs: DOCS.ports,
      },
      {
        key: 'ports:6123/tcp',
        severity: 'error',
        text: "port 6123/tcp (control channel: registration, heartbeats, commands) is disabled in the add-on's Network settings: cameras use fixed ports, set it back to 6123",
        docs: DOCS.ports,
      },
      {
        key: 'ports:6123/udp',
        severity: 'error',
        text: "port 6123/udp (video and audio) is mapped to host port 6124 in the add-on's Network settings: cameras use fixed ports, set it back to 6123",
        docs: DOCS.ports,
      },
      {
        key: 'ports:1234/tcp',
        severity: 'warning',
        text: 'port 1234/tcp is disabled: the media URLs for other devices on the LAN do not work (the panel and Home Assistant still do)',
        docs: DOCS.ports,
      },
    ]);
    assert.equal(report.summary.startsWith('3 errors, 1 warning; first: port 80/tcp'), true, report.summary);
  });

  it('add-on: a mapping the Supervisor did not tell is one warning, every row unknown', () => {
    const report = diagnose(input({ ports: { mode: 'addon', mapping: { '80/tcp': null }, mappingUnknown: true } }));
    assert.deepEqual(
      report.ports.rows.map((row) => [row.port, 'hostPort' in row, row.verdict, row.text]),
      [
        ['80/tcp', false, 'unknown', 'the Supervisor did not tell the mapping'],
        ['6123/tcp', false, 'unknown', 'the Supervisor did not tell the mapping'],
        ['6123/udp', false, 'unknown', 'the Supervisor did not tell the mapping'],
        ['1234/tcp', false, 'unknown', 'the Supervisor did not tell the mapping'],
      ],
    );
    assert.deepEqual(report.problems, [
      {
        key: 'ports:unknown',
        severity: 'warning',
        text: 'the add-on could not read its port mapping from the Supervisor: check Configuration → Network, 80/tcp, 6123/tcp and 6123/udp must stay at 80 and 6123',
        docs: DOCS.ports,
      },
    ]);
  });

  it('outside Home Assistant: the bound ports; cameras need 80 and 6123 (warnings), the web port is free', () => {
    const ok = diagnose(input({ ports: { mode: 'standalone', bound: { http: 80, tcp: 6123, web: 1234 } } }));
    assert.deepEqual(
      ok.ports.rows.map((row) => [row.port, row.hostPort, row.verdict, row.text]),
      [
        ['80/tcp', 80, 'ok', 'listening on 80'],
        ['6123/tcp', 6123, 'ok', 'listening on 6123'],
        ['6123/udp', 6123, 'ok', 'listening on 6123'],
        ['1234/tcp', 1234, 'ok', 'listening on 1234'],
      ],
    );
    assert.deepEqual(ok.problems, []);
    const demo = diagnose(input({ ports: { mode: 'standalone', bound: { http: 8080, tcp: 7000, web: 8123 } } }));
    assert.equal(demo.ports.mode, 'standalone');
    assert.deepEqual(
      demo.ports.rows.map((row) => [row.port, row.verdict, row.text]),
      [
        ['80/tcp', 'moved', 'listening on 8080, not 80'],
        ['6123/tcp', 'moved', 'listening on 7000, not 6123'],
        ['6123/udp', 'moved', 'listening on 7000, not 6123'],
        ['1234/tcp', 'moved', 'listening on 8123, not 1234'],
      ],
    );
    assert.deepEqual(demo.problems, [
      {
        key: 'ports:80/tcp',
        severity: 'warning',
        text: '80/tcp (bootstrap: cameras ask here which server to use) is listening on 8080, not 80: cameras always use 80; forward port 80 to 8080 or set http_port: 80',
        docs: DOCS.ports,
      },
      {
        key: 'ports:6123/tcp',
        severity: 'warning',
        text: '6123/tcp (control channel: registration, heartbeats, commands) is listening on 7000, not 6123: cameras always use 6123; forward port 6123 to 7000 or set tcp_port: 6123',
        docs: DOCS.ports,
      },
      {
        key: 'ports:6123/udp',
        severity: 'warning',
        text: '6123/udp (video and audio) is listening on 7000, not 6123: cameras always use 6123; forward port 6123 to 7000 or set tcp_port: 6123',
        docs: DOCS.ports,
      },
    ]);
    assert.equal(demo.problem, false);
  });
});

describe('journeys', () => {
  const steps = (facts: CameraFacts, now = NOW) => journeyOf(facts, now).view.steps.map((s) => [s.step, s.status, s.detail, s.at]);

  it('a camera that only asked for its server: waiting, then stopped at TCP registration once the grace is over', () => {
    const waiting = camera({ journey: conf(59_999, { firmware: '202212011602', sentTo: '192.168.1.5:6123' }) });
    assert.deepEqual(steps(waiting), [
      ['bootstrap', 'done', 'getA9ConfCheck 59 s ago from 192.168.1.50, firmware 202212011602, sent to 192.168.1.5:6123', NOW - 59_999],
      [
        'registration',
        'waiting',
        'asked for its server 59 s ago; waiting for it to open TCP 6123 (we sent it to 192.168.1.5:6123)',
        undefined,
      ],
      ['probe', 'not-reached', 'no NAT request sent', undefined],
      ['frame', 'not-reached', 'no picture yet', undefined],
    ]);
    assert.equal(journeyOf(waiting, NOW).stop, undefined);
    const stopped = camera({ journey: conf(180_000) });
    const { view, stop } = journeyOf(stopped, NOW);
    assert.deepEqual(view, {
      id: '0800c00128F8',
      ip: '192.168.1.50',
      online: false,
      registered: false,
      steps: [
        {
          step: 'bootstrap',
          label: 'HTTP bootstrap (port 80)',
          status: 'done',
          at: NOW - 180_000,
          detail: 'getA9ConfCheck 3 min ago from 192.168.1.50',
        },
        {
          step: 'registration',
          label: 'TCP registration (6123/tcp)',
          status: 'stopped',
          detail: 'no TCP connection since the bootstrap 3 min ago',
        },
        { step: 'probe', label: 'UDP probe (6123/udp)', status: 'not-reached', detail: 'no NAT request sent' },
        { step: 'frame', label: 'First frame', status: 'not-reached', detail: 'no picture yet' },
      ],
      stoppedAt: 'registration',
      cause: 'asked for its server 3 min ago but never opened TCP 6123: is 6123/tcp mapped to this host and reachable from the camera?',
    });
    assert.deepEqual(stop, { step: 'registration', severity: 'error', cause: view.cause, docs: DOCS.ports });
    // Exactly at the grace it counts as stopped.
    assert.equal(journeyOf(camera({ journey: conf(DEFAULT_SETUP_TIMING.bootstrapGraceMs) }), NOW).stop?.step, 'registration');
    assert.equal(
      journeyOf(camera({ journey: conf(30_000) }), NOW, { ...DEFAULT_SETUP_TIMING, bootstrapGraceMs: 30_000 }).stop?.step,
      'registration',
    );
  });

  it('a camera that sent only getDevInfo stops at the bootstrap (unsupported firmware, DOCS §6 Firmware)', () => {
    const devInfo = camera({
      journey: {
        endpoints: ['getDevInfo'],
        http: { at: NOW - 20_000, ip: '192.168.1.52', endpoint: 'getDevInfo', firmware: '202411152039' },
      },
    });
    const { view, stop } = journeyOf(devInfo, NOW);
    assert.deepEqual(
      view.steps.map((s) => [s.step, s.status, s.detail]),
      [
        ['bootstrap', 'stopped', 'getDevInfo 20 s ago from 192.168.1.52, firmware 202411152039'],
        ['registration', 'not-reached', 'never opened TCP 6123'],
        ['probe', 'not-reached', 'no NAT request sent'],
        ['frame', 'not-reached', 'no picture yet'],
      ],
    );
    assert.deepEqual(stop, {
      step: 'bootstrap',
      severity: 'error',
      cause:
        'sent only getDevInfo (firmware 202411152039): firmware that does this (202411152039, 202411201737 or later) never opens the control channel and is not supported',
      docs: DOCS.firmware,
    });
    const unknownFirmware = camera({
      journey: { endpoints: ['getDevInfo'], http: { at: NOW, ip: '192.168.1.52', endpoint: 'getDevInfo' } },
    });
    assert.match(journeyOf(unknownFirmware, NOW).stop?.cause ?? '', /^sent only getDevInfo \(firmware unknown\)/);
    // getDevInfo beside getA9ConfCheck, or from a camera that is online, is no firmware problem.
    const both = camera({
      journey: { endpoints: ['getDevInfo', 'getA9ConfCheck'], http: { at: NOW, ip: '1.1.1.1', endpoint: 'getDevInfo' } },
    });
    assert.equal(journeyOf(both, NOW).stop, undefined);
    assert.equal(journeyOf({ ...unknownFirmware, online: true }, NOW).stop, undefined);
    assert.equal(journeyOf({ ...unknownFirmware, online: true }, NOW).view.steps[0]?.status, 'done', 'its bootstrap led somewhere');
    assert.deepEqual(Object.keys(journeyOf(both, NOW)), ['view'], 'no stop key at all when nothing stopped');
  });

  it('registered: waiting for the NAT request, then for the probe; no UDP after the grace stops it', () => {
    const registered = (journey: Partial<CameraJourney>) =>
      camera({
        online: true,
        registered: true,
        journey: { ...conf(120_000), registeredAt: NOW - 119_000, registeredIp: '192.168.1.51', ...journey },
      });
    assert.deepEqual(steps(registered({})).slice(1, 3), [
      ['registration', 'done', 'registered 1 min ago from 192.168.1.51', NOW - 119_000],
      ['probe', 'waiting', 'the NAT request (11) follows the registration within seconds', undefined],
    ]);
    assert.deepEqual(steps(registered({ natRequestAt: NOW - 9_999 }))[2], [
      'probe',
      'waiting',
      "NAT request sent 9 s ago; waiting for the camera's UDP probe",
      NOW - 9_999,
    ]);
    const silent = registered({ natRequestAt: NOW - 10_000 });
    assert.deepEqual(steps(silent).slice(2), [
      ['probe', 'stopped', 'no UDP from the camera after the NAT request 10 s ago', NOW - 10_000],
      ['frame', 'not-reached', 'no picture yet', undefined],
    ]);
    assert.deepEqual(journeyOf(silent, NOW).stop, {
      step: 'probe',
      severity: 'error',
      cause: 'TCP registered, no UDP after the NAT request 10 s ago: is 6123/udp mapped to this host and not blocked?',
      docs: DOCS.ports,
    });
    assert.deepEqual(steps({ ...silent, online: false })[2], ['probe', 'not-reached', 'went offline before its UDP probe', NOW - 10_000]);
    assert.equal(journeyOf({ ...silent, online: false }, NOW).stop, undefined, 'a camera gone mid-handshake proves nothing about UDP');
    // A probe after the request is done; a newer request without a probe waits again.
    assert.deepEqual(steps(registered({ natRequestAt: NOW - 5000, probeAt: NOW - 5000 }))[2], [
      'probe',
      'done',
      'UDP probe 5 s ago',
      NOW - 5000,
    ]);
    assert.deepEqual(steps(registered({ probeAt: NOW - 6000 }))[2], ['probe', 'done', 'UDP probe 6 s ago', NOW - 6000]);
    assert.equal(steps(registered({ natRequestAt: NOW - 3000, probeAt: NOW - 3001 }))[2]?.[1], 'waiting');
    // The registered IP falls back to the camera's.
    assert.equal(
      steps(camera({ online: true, registered: true, journey: { registeredAt: NOW - 7000 } }))[1]?.[2],
      'registered 7 s ago from 192.168.1.50',
    );
  });

  it('the first frame: done, waiting for a viewer, or stopped when an opened stream sends nothing', () => {
    const probed = (journey: Partial<CameraJourney>, online = true) =>
      camera({
        online,
        registered: true,
        journey: { registeredAt: NOW - 60_000, natRequestAt: NOW - 59_000, probeAt: NOW - 58_000, ...journey },
      });
    assert.deepEqual(steps(probed({}))[3], ['frame', 'waiting', 'no picture asked for yet: open the live view', undefined]);
    assert.deepEqual(steps(probed({ firstFrameAt: NOW - 30_000 }))[3], ['frame', 'done', 'first frame 30 s ago', NOW - 30_000]);
    assert.deepEqual(steps(probed({ streamOpenedAt: NOW - 14_999 }))[3], [
      'frame',
      'waiting',
      'stream opened; waiting for the first frame',
      undefined,
    ]);
    assert.deepEqual(steps(probed({ streamOpenedAt: NOW - 15_000 }))[3], [
      'frame',
      'stopped',
      'stream opened 15 s ago, no complete frame arrived',
      NOW - 15_000,
    ]);
    assert.deepEqual(journeyOf(probed({ streamOpenedAt: NOW - 15_000 }), NOW).stop, {
      step: 'frame',
      severity: 'warning',
      cause:
        'stream opened 15 s ago but no complete picture arrived: video on 6123/udp is not getting through (Wi-Fi too weak, or a firewall passing only the first packets)',
      docs: DOCS.ports,
    });
    assert.equal(journeyOf(probed({ streamOpenedAt: NOW - 60_000 }, false), NOW).stop, undefined, 'an offline camera is no stream problem');
    assert.equal(steps(probed({ streamOpenedAt: NOW - 60_000 }, false))[3]?.[1], 'waiting');
  });

  it('cameras the add-on has not heard from since it started, or that came back by HTTP only', () => {
    const restored = camera({ registered: true, lastSeen: NOW - 2 * 86_400_000, name: 'Garden', firmware: '202212011602' });
    const { view, stop } = journeyOf(restored, NOW);
    assert.equal(stop, undefined);
    assert.deepEqual(view, {
      id: '0800c00128F8',
      name: 'Garden',
      ip: '192.168.1.50',
      online: false,
      registered: true,
      firmware: '202212011602',
      steps: [
        {
          step: 'bootstrap',
          label: 'HTTP bootstrap (port 80)',
          status: 'not-seen',
          detail: 'not seen since the add-on started (the camera remembered its server)',
        },
        { step: 'registration', label: 'TCP registration (6123/tcp)', status: 'not-seen', detail: 'offline; last seen 2 days ago' },
        { step: 'probe', label: 'UDP probe (6123/udp)', status: 'not-seen', detail: 'no NAT request sent' },
        { step: 'frame', label: 'First frame', status: 'not-reached', detail: 'no picture yet' },
      ],
    });
    assert.deepEqual(steps(camera({}))[1], ['registration', 'not-reached', 'not registered yet', undefined]);
    assert.deepEqual(steps(camera({ online: true, registered: true }))[1], ['registration', 'done', 'online from 192.168.1.50', undefined]);
    // Registered once, then bootstrapped again and stuck: the old registration does not count.
    const again = camera({
      registered: true,
      journey: { ...conf(120_000), registeredAt: NOW - 600_000, natRequestAt: NOW - 599_000, probeAt: NOW - 598_000 },
    });
    assert.deepEqual(steps(again).slice(1), [
      ['registration', 'stopped', 'no TCP connection since the bootstrap 2 min ago', undefined],
      ['probe', 'not-reached', 'no NAT request sent', undefined],
      ['frame', 'not-reached', 'no picture yet', undefined],
    ]);
    // Registered right after the bootstrap (same millisecond): the registration answers it.
    const same = camera({ online: true, registered: true, journey: { ...conf(1000), registeredAt: NOW - 1000 } });
    assert.equal(steps(same)[1]?.[1], 'done');
    // The same, gone offline since: still the registration that answered that bootstrap.
    const sameOffline = camera({ registered: true, journey: { ...conf(120_000), registeredAt: NOW - 120_000 } });
    assert.deepEqual(steps(sameOffline)[1], ['registration', 'done', 'registered 2 min ago from 192.168.1.50', NOW - 120_000]);
  });
});

describe('the whole report', () => {
  it('problems in order: errors first (DNS, ports, cameras), then warnings; camera problems name the camera', () => {
    const report = diagnose(
      input({
        dns: { checkedAt: NOW, answers: [bootstrapName(at(HOST)), cloudName('dl2.naxclow.com', at('47.1.1.1'))] },
        ports: { mode: 'addon', mapping: { '1234/tcp': null, '6123/udp': null }, mappingUnknown: false },
        cameras: [
          camera({ id: 'A1', name: 'Garden', journey: conf(180_000) }),
          camera({
            id: 'B2',
            online: true,
            registered: true,
            journey: { registeredAt: NOW - 60_000, probeAt: NOW - 59_000, streamOpenedAt: NOW - 30_000 },
          }),
        ],
      }),
    );
    assert.deepEqual(
      report.problems.map((p) => [p.key, p.severity, p.camera]),
      [
        ['ports:6123/udp', 'error', undefined],
        ['camera:A1:registration', 'error', 'A1'],
        ['dns:cloud:naxclow.com', 'warning', undefined],
        ['ports:1234/tcp', 'warning', undefined],
        ['camera:B2:frame', 'warning', 'B2'],
      ],
    );
    assert.deepEqual(report.problems[1], {
      key: 'camera:A1:registration',
      severity: 'error',
      text: 'camera Garden (A1) (192.168.1.50) asked for its server 3 min ago but never opened TCP 6123: is 6123/tcp mapped to this host and reachable from the camera?',
      docs: DOCS.ports,
      camera: 'A1',
    });
    assert.equal(report.problems[4]?.text.startsWith('camera B2 (192.168.1.50) stream opened 30 s ago'), true, report.problems[4]?.text);
    assert.equal(report.everRegistered, true);
    assert.equal(report.at, NOW);
    assert.deepEqual(
      report.cameras.map((c) => [c.id, c.stoppedAt]),
      [
        ['A1', 'registration'],
        ['B2', 'frame'],
      ],
    );
    assert.equal(report.summary.startsWith('2 errors, 3 warnings; first: port 6123/udp'), true, report.summary);
  });

  it('summary without problems: before the first camera, and with cameras', () => {
    assert.equal(diagnose(input({})).summary, 'No setup problems found, but no camera has registered yet: power-cycle a camera');
    assert.equal(diagnose(input({})).everRegistered, false);
    assert.equal(
      diagnose(input({ cameras: [camera({ journey: conf(1000) })] })).summary,
      'No setup problems found, but no camera has registered yet: power-cycle a camera',
      'an unknown camera that only bootstrapped is not a registered one',
    );
    assert.equal(diagnose(input({ cameras: [camera({ registered: true })] })).summary, 'No setup problems found: 0 of 1 camera online');
    const two = [camera({ id: 'A', registered: true, online: true }), camera({ id: 'B', registered: true })];
    assert.equal(diagnose(input({ cameras: two })).summary, 'No setup problems found: 1 of 2 cameras online');
  });
});
