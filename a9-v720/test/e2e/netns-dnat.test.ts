/**
 * The add-on behind the Supervisor's port mapping, for real: the server runs in a "container"
 * namespace, a simulated camera and a LAN viewer in a "LAN" namespace, and a "host" namespace
 * in between forwards the mapped host ports with nftables DNAT (as Docker does). The host ports
 * differ from the container ports, and server_ip is empty: the add-on must learn the host's LAN
 * address and the mapping from a fake Supervisor and hand exactly those to the camera, in the
 * bootstrap answer and in the NAT request. Snapshot and MJPEG stream must then work.
 * Needs root, `ip` and `nft`; skips with the reason otherwise.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CONTAINER_IP,
  createTopology,
  DOCKER_GATEWAY_IP,
  LAN_CAMERA_IP,
  LAN_HOST_IP,
  netnsUnavailableReason,
  type Topology,
} from '../support/netns/topology.js';

const ADDON_DIR = fileURLToPath(new URL('../../', import.meta.url));
const TOKEN = 'netns-test-token';
/** Host port → container port, deliberately different (except 80, which cameras always use). */
const MAPPING = { '80/tcp': 80, '6123/tcp': 16123, '6123/udp': 16124, '1234/tcp': 18234 } as const;
const CAMERA_ID = '0800c0D0A701';
const unavailable = netnsUnavailableReason();

interface Child {
  process: ChildProcess;
  lines: string[];
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  exited: Promise<number | null>;
}

/** Runs `node --import tsx <args>` inside a namespace, collecting its stdout lines. */
function nodeIn(namespace: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '--import', 'tsx', ...args], {
    cwd: ADDON_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (line: string): void => {
    lines.push(line);
    for (const wake of waiters) wake();
  };
  createInterface({ input: child.stdout }).on('line', collect);
  createInterface({ input: child.stderr }).on('line', (line) => collect(`stderr: ${line}`));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    lines,
    exited,
    waitForLine: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = lines.find((line) => pattern.test(line));
          if (hit === undefined) return false;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(hit);
          return true;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.slice(-30).join('\n')}`));
        }, timeoutMs);
        waiters.add(wake);
        if (!check()) void exited.then(() => setTimeout(wake, 50));
      }),
  };
}

describe('behind the Supervisor port mapping (network namespaces, nftables DNAT)', { skip: unavailable }, () => {
  let topology: Topology;
  let dataDir: string;
  const children: Child[] = [];

  before(() => {
    topology = createTopology(
      Object.entries(MAPPING).map(([key, hostPort]) => {
        const [containerPort, protocol] = key.split('/') as [string, 'tcp' | 'udp'];
        return { protocol, hostPort, containerPort: Number(containerPort) };
      }),
    );
    dataDir = mkdtempSync(path.join(tmpdir(), 'a9-netns-'));
  });

  after(async () => {
    for (const child of children) {
      if (child.process.exitCode === null && child.process.pid !== undefined) child.process.kill('SIGTERM');
    }
    await Promise.all(children.map((child) => Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 5000))])));
    topology?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('hands the camera the host address and host ports; snapshot and stream work through DNAT', async (t) => {
    const networkInfo = {
      result: 'ok',
      data: {
        interfaces: [
          {
            interface: 'end0',
            type: 'ethernet',
            enabled: true,
            connected: true,
            primary: true,
            ipv4: { method: 'auto', address: [`${LAN_HOST_IP}/24`], nameservers: [], gateway: null, ready: true },
          },
        ],
        docker: { interface: 'hassio', address: '172.30.32.0/23', gateway: '172.30.32.1', dns: '172.30.32.3' },
      },
    };
    // As the Supervisor answers (api/addons.py info): the add-on's hostname, and the Core API not
    // granted here, so live camera entities say once that they are off instead of retrying a minute.
    const selfInfo = {
      result: 'ok',
      data: {
        slug: 'local_a9_v720',
        hostname: 'local-a9-v720',
        ingress_port: 1234,
        host_network: false,
        homeassistant_api: false,
        network: MAPPING,
      },
    };
    const supervisor = nodeIn(topology.host, [
      'test/support/netns/fake-supervisor.ts',
      DOCKER_GATEWAY_IP,
      TOKEN,
      JSON.stringify({ '/network/info': networkInfo, '/addons/self/info': selfInfo }),
    ]);
    children.push(supervisor);
    const supervisorPort = Number((await supervisor.waitForLine(/^LISTENING \d+$/, 60_000)).split(' ')[1]);

    const optionsFile = path.join(dataDir, 'options.yaml');
    writeFileSync(optionsFile, 'http_port: 80\ntcp_port: 6123\nweb_port: 1234\nlog_level: debug\nlan_media: true\n');
    const server = nodeIn(
      topology.container,
      ['src/main.ts', '--options', optionsFile, '--data-dir', path.join(dataDir, 'data'), '--listen', '0.0.0.0'],
      {
        SUPERVISOR_TOKEN: TOKEN,
        SUPERVISOR_API: `http://${DOCKER_GATEWAY_IP}:${supervisorPort}`,
      },
    );
    children.push(server);
    const ready = await server.waitForLine(/listening on 0\.0\.0\.0/, 60_000);
    assert.match(
      ready,
      new RegExp(
        `cameras are sent to ${LAN_HOST_IP.replace(/\./g, '\\.')} \\(the host address from the Supervisor\\), TCP 16123, UDP 16124`,
      ),
    );

    // LAN media URLs may carry a per-install media key (kept in the data folder as media.key).
    const keyFile = path.join(dataDir, 'data', 'media.key');
    const mediaKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
    const lan = nodeIn(topology.lan, [
      'test/support/netns/lan-camera.ts',
      JSON.stringify({
        id: CAMERA_ID,
        host: LAN_HOST_IP,
        localAddress: LAN_CAMERA_IP,
        httpPort: 80,
        webPort: MAPPING['1234/tcp'],
        query: mediaKey ? `?key=${mediaKey}` : '',
        frames: 20,
        timeoutMs: 30_000,
      }),
    ]);
    children.push(lan);
    const outcome = await lan.waitForLine(/^(RESULT|FAILED) /, 90_000);
    assert.match(outcome, /^RESULT /, `LAN side failed: ${outcome}\nserver log:\n${server.lines.slice(-40).join('\n')}`);
    const result = JSON.parse(outcome.slice('RESULT '.length)) as {
      bootstrap: { host: string; tcpPort: number };
      registeredMs: number;
      snapshot: { status: number; type: string; bytes: number; ms: number };
      stream: { frames: number; ms: number; fps: number };
      camera: { framesSent: number; datagramsSent: number; confirmsReceived: number };
    };
    // What the camera was told: the host's LAN address and host-side ports, never the container's.
    assert.deepEqual(result.bootstrap, { host: LAN_HOST_IP, tcpPort: MAPPING['6123/tcp'] });
    const nat = await server.waitForLine(/NAT request \(11\) asks for UDP to/, 5_000);
    assert.match(
      nat,
      new RegExp(
        `UDP to ${LAN_HOST_IP.replace(/\./g, '\\.')}:${MAPPING['6123/udp']} \\(reached us on ${CONTAINER_IP.replace(/\./g, '\\.')}\\)`,
      ),
    );
    // DNAT keeps the camera's source address: the server sees the camera, not the host.
    await server.waitForLine(new RegExp(`command mode \\(UDP ${LAN_CAMERA_IP.replace(/\./g, '\\.')}:\\d+\\)`), 5_000);
    assert.equal(result.snapshot.status, 200);
    assert.match(result.snapshot.type, /^image\/jpeg/);
    assert.ok(result.stream.frames >= 20, `at least 20 MJPEG frames through the NAT path, got ${result.stream.frames}`);
    assert.ok(result.camera.confirmsReceived > 0, 'the camera received 605 confirms through the NAT path');
    t.diagnostic(
      `DNAT run: registered after ${result.registeredMs} ms; snapshot ${result.snapshot.bytes} B in ${result.snapshot.ms} ms; ` +
        `${result.stream.frames} MJPEG frames in ${result.stream.ms} ms (${result.stream.fps} fps); camera sent ${result.camera.framesSent} frames / ` +
        `${result.camera.datagramsSent} datagrams, got ${result.camera.confirmsReceived} confirms`,
    );
    assert.equal(await lan.exited, 0);
  });
});

if (unavailable) {
  describe('behind the Supervisor port mapping', () => {
    it(`skipped: ${unavailable}`, { skip: unavailable }, () => undefined);
  });
}
