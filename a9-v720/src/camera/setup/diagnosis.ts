/**
 * The setup diagnosis: DNS answers, the port mapping and each camera's journey turned into rows
 * for the setup view and a list of problems in plain words, each with its severity and the
 * DOCS.md section that fixes it. Pure: no I/O, the time is an input, so the same facts always
 * give the same text (the log, the panel and Home Assistant show the very same sentences).
 */
import type { PortMapping } from '../camera-facing.js';
import type { DnsAnswer, HostnameRole } from './dns-check.js';
import type { CameraJourney } from './journey.js';

export type Severity = 'error' | 'warning';

/** A section of DOCS.md: how the text names it and its anchor. */
export interface DocsRef {
  readonly section: string;
  readonly anchor: string;
}

/** DOCS.md sections the problems point to (one place to follow when DOCS.md changes). */
export const DOCS = {
  ports: { section: 'DOCS §5 Ports', anchor: '#ports' },
  dns: { section: 'DOCS §1 DNS', anchor: '#1-dns-send-the-cameras-to-home-assistant' },
  adguard: { section: 'DOCS §1 AdGuard Home', anchor: '#adguard-home' },
  pihole: { section: 'DOCS §1 Pi-hole', anchor: '#pi-hole' },
  dnsmasq: { section: 'DOCS §1 dnsmasq', anchor: '#dnsmasq-and-openwrt' },
  router: { section: 'DOCS §1 Other routers', anchor: '#other-routers' },
  checkDns: { section: 'DOCS §1 Check it', anchor: '#check-it' },
  firmware: { section: 'DOCS §6 Firmware', anchor: '#firmware' },
} as const satisfies Record<string, DocsRef>;

export interface Problem {
  /** Stable identity: the same problem keeps its key while its text ages ("3 min ago"). */
  readonly key: string;
  readonly severity: Severity;
  readonly text: string;
  readonly docs: DocsRef;
  readonly camera?: string;
}

// ---- inputs ------------------------------------------------------------------------------

/** The ports as the add-on sees them: the Supervisor's mapping, or what it bound outside HA. */
export type PortsInput =
  | { readonly mode: 'addon'; readonly mapping: PortMapping; readonly mappingUnknown: boolean }
  | { readonly mode: 'standalone'; readonly bound: { readonly http: number; readonly tcp: number; readonly web: number } };

/** What the diagnosis needs of a registry record. */
export interface CameraFacts {
  readonly id: string;
  readonly name?: string;
  readonly ip: string;
  readonly online: boolean;
  readonly registered: boolean;
  readonly firmware?: string;
  readonly lastSeen: number;
  readonly journey?: CameraJourney;
}

export interface SetupTiming {
  /** A real camera opens TCP within a second or two of its bootstrap answer. */
  readonly bootstrapGraceMs: number;
  /** The handshake waits 6 s for the UDP probe after the NAT request. */
  readonly udpGraceMs: number;
  /** An opened stream sends its first frame within a second. */
  readonly frameGraceMs: number;
}

export const DEFAULT_SETUP_TIMING: SetupTiming = { bootstrapGraceMs: 60_000, udpGraceMs: 10_000, frameGraceMs: 15_000 };

export interface SetupInput {
  readonly now: number;
  /** Every address of this host (the Supervisor's /network/info, server_ip, local interfaces). */
  readonly thisHost: readonly string[];
  /** The address cameras must be sent to: what a DNS rewrite must answer. */
  readonly cameraAddress: string;
  /** undefined: the first DNS check has not finished yet. */
  readonly dns?: { readonly checkedAt: number; readonly answers: readonly DnsAnswer[] };
  readonly ports: PortsInput;
  readonly cameras: readonly CameraFacts[];
  readonly timing?: SetupTiming;
}

// ---- outputs -----------------------------------------------------------------------------

/** `this-host`: the rewrite works. `vendor-cloud`: a public address. `other-host`: a LAN address that is not us. */
export type DnsVerdict = 'this-host' | 'vendor-cloud' | 'other-host' | 'nowhere' | 'unknown';

export interface DnsFix {
  readonly server: string;
  readonly text: string;
  readonly docs: DocsRef;
}

export interface DnsRow {
  readonly name: string;
  readonly role: HostnameRole;
  readonly addresses: readonly string[];
  readonly verdict: DnsVerdict;
  readonly text: string;
  /** How to point the name at this host, per kind of DNS server; empty when nothing is to fix. */
  readonly fixes: readonly DnsFix[];
}

export type PortVerdict = 'ok' | 'moved' | 'disabled' | 'unknown';

export interface PortRow {
  /** The container port, e.g. `6123/udp`. */
  readonly port: string;
  readonly purpose: string;
  /** Where the LAN reaches it; null when disabled, undefined when unknown. */
  readonly hostPort?: number | null;
  readonly verdict: PortVerdict;
  readonly text: string;
}

export type StepName = 'bootstrap' | 'registration' | 'probe' | 'frame';
/** `not-seen`: the camera skipped it since the add-on started (it remembered its server). */
export type StepStatus = 'done' | 'waiting' | 'stopped' | 'not-reached' | 'not-seen';

export interface StepView {
  readonly step: StepName;
  readonly label: string;
  readonly status: StepStatus;
  readonly at?: number;
  readonly detail: string;
}

/** A camera's journey as the panel shows it: the registry facts it is about, its steps, where it stopped. */
export interface JourneyView extends Pick<CameraFacts, 'id' | 'name' | 'ip' | 'online' | 'registered' | 'firmware'> {
  readonly steps: readonly StepView[];
  /** The step the camera stopped at, and why in plain words (undefined: nothing stopped). */
  readonly stoppedAt?: StepName;
  readonly cause?: string;
}

export interface SetupReport {
  readonly at: number;
  /** Some camera registered over TCP at least once (the view opens by itself until then). */
  readonly everRegistered: boolean;
  readonly dns: { readonly checkedAt?: number; readonly rows: readonly DnsRow[] };
  readonly ports: { readonly mode: PortsInput['mode']; readonly rows: readonly PortRow[] };
  readonly cameras: readonly JourneyView[];
  /** Errors first, then warnings; DNS, ports, cameras within each. */
  readonly problems: readonly Problem[];
  /** True when any problem is an error (the Home Assistant problem sensor). */
  readonly problem: boolean;
  readonly summary: string;
}

// ---- words -------------------------------------------------------------------------------

/** "just now", "40 s ago", "3 min ago", "5 h ago", "2 days ago". */
export function ago(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The camera as a sentence names it: `Garden (0800c00128F8)` or its id. */
function cameraLabel(camera: CameraFacts): string {
  return camera.name ? `${camera.name} (${camera.id})` : camera.id;
}

// ---- DNS ---------------------------------------------------------------------------------

const PRIVATE_V4 = [
  /^10\./,
  /^127\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^169\.254\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^0\./,
];

/** Where an address points: this host, another LAN host, or the internet (the vendor cloud). */
export function classifyAddress(address: string, thisHost: ReadonlySet<string>): 'this-host' | 'other-host' | 'vendor-cloud' {
  if (thisHost.has(address)) return 'this-host';
  return PRIVATE_V4.some((range) => range.test(address)) ? 'other-host' : 'vendor-cloud';
}

/** The zone a rewrite covers: `naxclow.com`, `naxclow.com.cn`, `xcthings.com`. */
export function zoneOf(name: string): string {
  const labels = name.split('.');
  return labels.slice(name.endsWith('.com.cn') ? -3 : -2).join('.');
}

/** How each kind of DNS server that the DNS section of DOCS.md covers points a zone at this host. */
export function dnsFixes(name: string, address: string): DnsFix[] {
  const zone = zoneOf(name);
  return [
    { server: 'AdGuard Home', text: `Filters → DNS rewrites: add *.${zone} → ${address}`, docs: DOCS.adguard },
    {
      server: 'Pi-hole',
      text: `Settings → Local DNS Records: add ${name} → ${address} (or the dnsmasq line address=/${zone}/${address})`,
      docs: DOCS.pihole,
    },
    { server: 'dnsmasq / OpenWrt', text: `address=/${zone}/${address}`, docs: DOCS.dnsmasq },
    { server: 'Router', text: `a local host name override ${name} → ${address} (or for all of ${zone})`, docs: DOCS.router },
  ];
}

function dnsRow(answer: DnsAnswer, thisHost: ReadonlySet<string>, cameraAddress: string): DnsRow {
  const { name, role, outcome } = answer;
  const base = { name, role };
  switch (outcome.kind) {
    case 'nxdomain':
    case 'no-address': {
      const what = outcome.kind === 'nxdomain' ? 'no such name' : 'no IPv4 address';
      // A cloud name that leads nowhere is harmless (the camera cannot reach the cloud there).
      const text =
        role === 'bootstrap'
          ? `resolves to nothing (${what}): cameras cannot find any server`
          : `resolves to nothing (${what}): the camera cannot reach the vendor cloud there, which is fine`;
      return { ...base, addresses: [], verdict: 'nowhere', text, fixes: role === 'bootstrap' ? dnsFixes(name, cameraAddress) : [] };
    }
    case 'failed':
      return { ...base, addresses: [], verdict: 'unknown', text: `could not be checked: DNS answered ${outcome.code}`, fixes: [] };
    case 'addresses': {
      const addresses = [...outcome.addresses];
      const kinds = addresses.map((address) => classifyAddress(address, thisHost));
      const list = addresses.join(', ');
      if (kinds.every((kind) => kind === 'this-host')) {
        return { ...base, addresses, verdict: 'this-host', text: `points at this host (${list})`, fixes: [] };
      }
      const verdict = kinds.includes('vendor-cloud') ? 'vendor-cloud' : 'other-host';
      const text =
        verdict === 'vendor-cloud'
          ? `points at the vendor cloud (${list}), not at this host (${cameraAddress})`
          : `points at ${list}, which is not this host (${cameraAddress})`;
      return { ...base, addresses, verdict, text, fixes: dnsFixes(name, cameraAddress) };
    }
  }
}

function dnsProblems(rows: readonly DnsRow[], cameraAddress: string, camerasReachUs: boolean): Problem[] {
  const problems: Problem[] = [];
  if (rows.length > 0 && rows.every((row) => row.verdict === 'unknown')) {
    return [
      {
        key: 'dns:unreachable',
        severity: 'warning',
        text: `DNS could not be asked from the add-on (${rows[0]?.text.replace('could not be checked: ', '') ?? ''}); check the names from a computer instead: nslookup v720.naxclow.com must answer ${cameraAddress}`,
        docs: DOCS.checkDns,
      },
    ];
  }
  for (const row of rows.filter((r) => r.role === 'bootstrap')) {
    if (row.verdict === 'this-host') continue;
    if (row.verdict === 'unknown') {
      problems.push({ key: `dns:${row.name}`, severity: 'warning', text: `${row.name} ${row.text}`, docs: DOCS.checkDns });
      continue;
    }
    const fix = `point *.${zoneOf(row.name)} at ${cameraAddress} in your DNS server`;
    problems.push(
      camerasReachUs
        ? {
            key: `dns:${row.name}`,
            severity: 'warning',
            text: `${row.name} ${row.text} for Home Assistant's DNS, yet cameras do reach the add-on: they use another DNS server. Nothing to fix for them; for new cameras ${fix}`,
            docs: DOCS.dns,
          }
        : {
            key: `dns:${row.name}`,
            severity: 'error',
            text: `${row.name} ${row.text}, so cameras never reach the add-on: ${fix}`,
            docs: DOCS.dns,
          },
    );
  }
  // Cloud names that lead past the add-on: one warning per zone, not one per name.
  const leaking = rows.filter((r) => r.role === 'cloud' && (r.verdict === 'vendor-cloud' || r.verdict === 'other-host'));
  for (const zone of [...new Set(leaking.map((r) => zoneOf(r.name)))]) {
    const names = leaking.filter((r) => zoneOf(r.name) === zone).map((r) => r.name);
    problems.push({
      key: `dns:cloud:${zone}`,
      severity: 'warning',
      text: `${names.join(', ')} ${names.length === 1 ? 'does' : 'do'} not point at this host: cameras can still reach the vendor cloud there (its MQTT broker, firmware updates that can end local use); point *.${zone} at ${cameraAddress}`,
      docs: DOCS.dns,
    });
  }
  return problems;
}

// ---- ports -------------------------------------------------------------------------------

interface PortSpec {
  readonly port: string;
  readonly purpose: string;
  /** Cameras cannot do without it (80, 6123): disabled or moved is an error. */
  readonly camera: boolean;
}

const PORTS: readonly PortSpec[] = [
  { port: '80/tcp', purpose: 'bootstrap: cameras ask here which server to use', camera: true },
  { port: '6123/tcp', purpose: 'control channel: registration, heartbeats, commands', camera: true },
  { port: '6123/udp', purpose: 'video and audio', camera: true },
  { port: '1234/tcp', purpose: 'media URLs on the LAN (the panel opens through Home Assistant)', camera: false },
];

const containerPort = (spec: PortSpec): number => Number(spec.port.split('/')[0]);

function addonPortRow(spec: PortSpec, mapping: PortMapping, unknown: boolean): PortRow {
  const base = { port: spec.port, purpose: spec.purpose };
  if (unknown) return { ...base, verdict: 'unknown', text: 'the Supervisor did not tell the mapping' };
  const mapped = mapping[spec.port];
  const own = containerPort(spec);
  if (mapped === null) return { ...base, hostPort: null, verdict: 'disabled', text: "disabled in the add-on's Network settings" };
  const hostPort = mapped ?? own;
  if (hostPort !== own) return { ...base, hostPort, verdict: 'moved', text: `mapped to host port ${hostPort}` };
  return { ...base, hostPort, verdict: 'ok', text: `host port ${hostPort}` };
}

function standalonePortRow(spec: PortSpec, bound: { http: number; tcp: number; web: number }): PortRow {
  const own = containerPort(spec);
  const port = spec.port === '80/tcp' ? bound.http : spec.port === '1234/tcp' ? bound.web : bound.tcp;
  const base = { port: spec.port, purpose: spec.purpose, hostPort: port };
  return port === own
    ? { ...base, verdict: 'ok', text: `listening on ${port}` }
    : { ...base, verdict: 'moved', text: `listening on ${port}, not ${own}` };
}

function portRows(ports: PortsInput): PortRow[] {
  return PORTS.map((spec) =>
    ports.mode === 'addon' ? addonPortRow(spec, ports.mapping, ports.mappingUnknown) : standalonePortRow(spec, ports.bound),
  );
}

function portProblems(ports: PortsInput, rows: readonly PortRow[]): Problem[] {
  const problems: Problem[] = [];
  if (ports.mode === 'addon' && ports.mappingUnknown) {
    problems.push({
      key: 'ports:unknown',
      severity: 'warning',
      text: 'the add-on could not read its port mapping from the Supervisor: check Configuration → Network, 80/tcp, 6123/tcp and 6123/udp must stay at 80 and 6123',
      docs: DOCS.ports,
    });
    return problems;
  }
  for (const row of rows) {
    const spec = PORTS.find((p) => p.port === row.port);
    if (!spec || row.verdict === 'ok') continue;
    const own = containerPort(spec);
    if (ports.mode === 'standalone') {
      if (!spec.camera) continue;
      problems.push({
        key: `ports:${row.port}`,
        severity: 'warning',
        text: `${row.port} (${spec.purpose}) is ${row.text}: cameras always use ${own}; forward port ${own} to ${row.hostPort ?? own} or set ${row.port === '80/tcp' ? 'http_port' : 'tcp_port'}: ${own}`,
        docs: DOCS.ports,
      });
      continue;
    }
    if (spec.camera) {
      const state = row.verdict === 'disabled' ? 'is disabled' : `is ${row.text}`;
      problems.push({
        key: `ports:${row.port}`,
        severity: 'error',
        text: `port ${row.port} (${spec.purpose}) ${state} in the add-on's Network settings: cameras use fixed ports, set it back to ${own}`,
        docs: DOCS.ports,
      });
    } else if (row.verdict === 'disabled') {
      problems.push({
        key: `ports:${row.port}`,
        severity: 'warning',
        text: `port ${row.port} is disabled: the media URLs for other devices on the LAN do not work (the panel and Home Assistant still do)`,
        docs: DOCS.ports,
      });
    }
  }
  return problems;
}

// ---- journeys ----------------------------------------------------------------------------

const STEP_LABELS: Readonly<Record<StepName, string>> = {
  bootstrap: 'HTTP bootstrap (port 80)',
  registration: 'TCP registration (6123/tcp)',
  probe: 'UDP probe (6123/udp)',
  frame: 'First frame',
};

interface Stop {
  readonly step: StepName;
  readonly severity: Severity;
  readonly cause: string;
  readonly docs: DocsRef;
}

const step = (name: StepName, status: StepStatus, detail: string, at?: number): StepView => ({
  step: name,
  label: STEP_LABELS[name],
  status,
  ...(at !== undefined ? { at } : {}),
  detail,
});

/** The journey's four steps and, if it stopped, where and why. */
export function journeyOf(
  camera: CameraFacts,
  now: number,
  timing: SetupTiming = DEFAULT_SETUP_TIMING,
): { view: JourneyView; stop?: Stop } {
  const j = camera.journey;
  const http = j?.http;
  const onlyDevInfo = j !== undefined && j.endpoints.includes('getDevInfo') && !j.endpoints.includes('getA9ConfCheck');
  // This registration is the answer to the latest bootstrap (a camera re-bootstraps before it re-registers).
  const registeredSinceHttp = j?.registeredAt !== undefined && (http === undefined || j.registeredAt >= http.at);
  const registeredNow = camera.online || registeredSinceHttp;
  const steps: StepView[] = [];
  let stop: Stop | undefined;

  // 1. HTTP bootstrap
  if (http) {
    const firmware = http.firmware ? `, firmware ${http.firmware}` : '';
    const sentTo = http.sentTo ? `, sent to ${http.sentTo}` : '';
    steps.push(
      step(
        'bootstrap',
        onlyDevInfo && !registeredNow ? 'stopped' : 'done',
        `${http.endpoint} ${ago(now - http.at)} from ${http.ip}${firmware}${sentTo}`,
        http.at,
      ),
    );
  } else {
    steps.push(step('bootstrap', 'not-seen', 'not seen since the add-on started (the camera remembered its server)'));
  }
  if (onlyDevInfo && !registeredNow && http) {
    stop = {
      step: 'bootstrap',
      severity: 'error',
      cause: `sent only getDevInfo (firmware ${http.firmware ?? 'unknown'}): firmware that does this (202411152039, 202411201737 or later) never opens the control channel and is not supported`,
      docs: DOCS.firmware,
    };
  }

  // 2. TCP registration
  if (registeredNow && j?.registeredAt !== undefined) {
    steps.push(step('registration', 'done', `registered ${ago(now - j.registeredAt)} from ${j.registeredIp ?? camera.ip}`, j.registeredAt));
  } else if (camera.online) {
    steps.push(step('registration', 'done', `online from ${camera.ip}`));
  } else if (stop) {
    steps.push(step('registration', 'not-reached', 'never opened TCP 6123'));
  } else if (http) {
    const since = now - http.at;
    const target = http.sentTo ? ` (we sent it to ${http.sentTo})` : '';
    if (since >= timing.bootstrapGraceMs) {
      steps.push(step('registration', 'stopped', `no TCP connection since the bootstrap ${ago(since)}`));
      stop = {
        step: 'registration',
        severity: 'error',
        cause: `asked for its server ${ago(since)} but never opened TCP 6123${target}: is 6123/tcp mapped to this host and reachable from the camera?`,
        docs: DOCS.ports,
      };
    } else {
      steps.push(step('registration', 'waiting', `asked for its server ${ago(since)}; waiting for it to open TCP 6123${target}`));
    }
  } else if (camera.registered) {
    steps.push(step('registration', 'not-seen', `offline; last seen ${ago(now - camera.lastSeen)}`));
  } else {
    steps.push(step('registration', 'not-reached', 'not registered yet'));
  }

  // 3. UDP probe after our NAT request
  const nat = registeredSinceHttp ? j?.natRequestAt : undefined;
  const probe = registeredSinceHttp ? j?.probeAt : undefined;
  if (!registeredSinceHttp) {
    steps.push(step('probe', stop || !camera.registered ? 'not-reached' : 'not-seen', 'no NAT request sent'));
  } else if (probe !== undefined && (nat === undefined || probe >= nat)) {
    steps.push(step('probe', 'done', `UDP probe ${ago(now - probe)}`, probe));
  } else if (nat === undefined) {
    steps.push(step('probe', 'waiting', 'the NAT request (11) follows the registration within seconds'));
  } else if (!camera.online) {
    // Gone before its probe came (a reboot, a lost connection): no proof that UDP is blocked.
    steps.push(step('probe', 'not-reached', 'went offline before its UDP probe', nat));
  } else if (now - nat >= timing.udpGraceMs) {
    steps.push(step('probe', 'stopped', `no UDP from the camera after the NAT request ${ago(now - nat)}`, nat));
    stop = {
      step: 'probe',
      severity: 'error',
      cause: `TCP registered, no UDP after the NAT request ${ago(now - nat)}: is 6123/udp mapped to this host and not blocked?`,
      docs: DOCS.ports,
    };
  } else {
    steps.push(step('probe', 'waiting', `NAT request sent ${ago(now - nat)}; waiting for the camera's UDP probe`, nat));
  }

  // 4. First frame
  const frame = registeredSinceHttp ? j?.firstFrameAt : undefined;
  const opened = registeredSinceHttp ? j?.streamOpenedAt : undefined;
  if (frame !== undefined) {
    steps.push(step('frame', 'done', `first frame ${ago(now - frame)}`, frame));
  } else if (stop || probe === undefined) {
    steps.push(step('frame', 'not-reached', 'no picture yet'));
  } else if (opened !== undefined && now - opened >= timing.frameGraceMs && camera.online) {
    steps.push(step('frame', 'stopped', `stream opened ${ago(now - opened)}, no complete frame arrived`, opened));
    stop = {
      step: 'frame',
      severity: 'warning',
      cause: `stream opened ${ago(now - opened)} but no complete picture arrived: video on 6123/udp is not getting through (Wi-Fi too weak, or a firewall passing only the first packets)`,
      docs: DOCS.ports,
    };
  } else {
    steps.push(
      step(
        'frame',
        'waiting',
        opened !== undefined ? 'stream opened; waiting for the first frame' : 'no picture asked for yet: open the live view',
      ),
    );
  }

  const view: JourneyView = {
    id: camera.id,
    ...(camera.name !== undefined ? { name: camera.name } : {}),
    ip: camera.ip,
    online: camera.online,
    registered: camera.registered,
    ...(camera.firmware !== undefined ? { firmware: camera.firmware } : {}),
    steps,
    ...(stop ? { stoppedAt: stop.step, cause: stop.cause } : {}),
  };
  return stop ? { view, stop } : { view };
}

// ---- all together ------------------------------------------------------------------------

function summaryOf(problems: readonly Problem[], cameras: readonly CameraFacts[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const registered = cameras.filter((c) => c.registered).length;
  const online = cameras.filter((c) => c.online).length;
  if (problems.length === 0) {
    return registered === 0
      ? 'No setup problems found, but no camera has registered yet: power-cycle a camera'
      : `No setup problems found: ${online} of ${plural(registered, 'camera')} online`;
  }
  const counts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter((t) => t !== '')
    .join(', ');
  return `${counts}; first: ${problems[0]?.text ?? ''}`;
}

export function diagnose(input: SetupInput): SetupReport {
  const { now, cameraAddress } = input;
  const timing = input.timing ?? DEFAULT_SETUP_TIMING;
  const thisHost = new Set([...input.thisHost, cameraAddress]);
  const dnsRows = (input.dns?.answers ?? []).map((answer) => dnsRow(answer, thisHost, cameraAddress));
  const camerasReachUs = input.cameras.some((camera) => camera.journey?.http !== undefined || camera.online);
  const ports = portRows(input.ports);
  const journeys = input.cameras.map((camera) => ({ camera, ...journeyOf(camera, now, timing) }));
  const cameraProblems: Problem[] = journeys.flatMap(({ camera, stop }) =>
    stop
      ? [
          {
            key: `camera:${camera.id}:${stop.step}`,
            severity: stop.severity,
            text: `camera ${cameraLabel(camera)} (${camera.ip}) ${stop.cause}`,
            docs: stop.docs,
            camera: camera.id,
          },
        ]
      : [],
  );
  const all = [...dnsProblems(dnsRows, cameraAddress, camerasReachUs), ...portProblems(input.ports, ports), ...cameraProblems];
  const problems = [...all.filter((p) => p.severity === 'error'), ...all.filter((p) => p.severity === 'warning')];
  return {
    at: now,
    everRegistered: input.cameras.some((camera) => camera.registered),
    dns: { ...(input.dns ? { checkedAt: input.dns.checkedAt } : {}), rows: dnsRows },
    ports: { mode: input.ports.mode, rows: ports },
    cameras: journeys.map(({ view }) => view),
    problems,
    problem: problems.some((p) => p.severity === 'error'),
    summary: summaryOf(problems, input.cameras),
  };
}
