/** Broker and dashboard lookup against a fake Supervisor on 127.0.0.1. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import {
  fetchHostLanAddress,
  fetchPortMapping,
  fetchSupervisorMqtt,
  resolveBrokerSettings,
  resolveDashboardUrl,
  resolveHostAddresses,
  resolveHostNetwork,
  supervisorFromEnv,
  type SupervisorEndpoint,
} from '../../src/ha/supervisor.js';
import { captureLog } from '../support/log-capture.js';
import { startHarness } from '../support/app-harness.js';
import type { SetupAnswer } from '../../src/web/setup-routes.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { createHarness } from './harness.js';
import { MqttRecorder, waitUntil } from './mqtt-recorder.js';

const TOKEN = 'test-supervisor-token';

interface FakeSupervisor {
  endpoint: SupervisorEndpoint;
  requests: { path: string; authorization: string | undefined }[];
}

type Routes = Record<string, { status: number; body: unknown }>;

async function fakeSupervisor(t: TestContext, routes: Routes): Promise<FakeSupervisor> {
  const requests: FakeSupervisor['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const route =
      req.headers.authorization === `Bearer ${TOKEN}`
        ? routes[req.url ?? '']
        : { status: 401, body: { result: 'error', message: 'Unauthorized' } };
    res.writeHead(route?.status ?? 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(route?.body ?? { result: 'error', message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { endpoint: { url: `http://127.0.0.1:${port}`, token: TOKEN }, requests };
}

const mqttService = (port: number) => ({
  status: 200,
  body: {
    result: 'ok',
    data: { host: '127.0.0.1', port, ssl: false, protocol: '3.1.1', username: 'addons', password: 'secret', addon: 'core_mosquitto' },
  },
});

describe('Supervisor lookup', () => {
  it('reads the MQTT service with the bearer token', async (t) => {
    const sup = await fakeSupervisor(t, { '/services/mqtt': mqttService(1884) });
    assert.deepEqual(await fetchSupervisorMqtt(sup.endpoint), {
      url: 'mqtt://127.0.0.1:1884',
      username: 'addons',
      password: 'secret',
      protocolVersion: 4,
      source: 'supervisor',
    });
    assert.deepEqual(sup.requests, [{ path: '/services/mqtt', authorization: `Bearer ${TOKEN}` }]);
  });

  it('prefers the user options over the Supervisor', async (t) => {
    const sup = await fakeSupervisor(t, { '/services/mqtt': mqttService(1884) });
    const log = captureLog();
    const settings = await resolveBrokerSettings({
      options: { url: 'mqtt://broker.lan:1883', username: 'me', password: 'pw' },
      supervisor: sup.endpoint,
      logger: log.logger,
    });
    assert.deepEqual(settings, { url: 'mqtt://broker.lan:1883', username: 'me', password: 'pw', protocolVersion: 4, source: 'options' });
    assert.equal(sup.requests.length, 0);
  });

  it('answers "no broker" on a Supervisor error, with one log line', async (t) => {
    const sup = await fakeSupervisor(t, {
      '/services/mqtt': { status: 400, body: { result: 'error', message: 'No mqtt service available' } },
    });
    const log = captureLog();
    assert.equal(await resolveBrokerSettings({ options: {}, supervisor: sup.endpoint, logger: log.logger }), undefined);
    assert.equal(log.problems().length, 1);
    assert.match(log.problems()[0]?.msg ?? '', /No mqtt service available/);
    assert.equal(await resolveBrokerSettings({ options: {}, logger: log.logger }), undefined);
  });

  it('rejects malformed service data', async (t) => {
    const sup = await fakeSupervisor(t, { '/services/mqtt': { status: 200, body: { result: 'ok', data: { host: 'x', port: '1883' } } } });
    await assert.rejects(fetchSupervisorMqtt(sup.endpoint), /no usable host\/port/);
  });

  it('links the dashboard through ingress when the slug is known, else host:port', async (t) => {
    const sup = await fakeSupervisor(t, {
      '/addons/self/info': { status: 200, body: { result: 'ok', data: { slug: 'a1b2c3d4_a9_v720', ingress_port: 1234 } } },
    });
    const log = captureLog();
    assert.equal(
      await resolveDashboardUrl({ supervisor: sup.endpoint, host: '192.168.1.2', webPort: 1234, logger: log.logger }),
      'homeassistant://hassio/ingress/a1b2c3d4_a9_v720',
    );
    assert.equal(await resolveDashboardUrl({ host: '192.168.1.2', webPort: 1234, logger: log.logger }), 'http://192.168.1.2:1234/');
    const broken = await fakeSupervisor(t, {});
    assert.equal(
      await resolveDashboardUrl({ supervisor: broken.endpoint, host: '192.168.1.2', webPort: 1234, logger: log.logger }),
      'http://192.168.1.2:1234/',
    );
  });

  it('finds the Supervisor from SUPERVISOR_TOKEN (SUPERVISOR_API overrides the URL, as for bashio)', () => {
    assert.deepEqual(supervisorFromEnv({ SUPERVISOR_TOKEN: 'abc' }), { url: 'http://supervisor', token: 'abc' });
    assert.deepEqual(supervisorFromEnv({ SUPERVISOR_TOKEN: 'abc', SUPERVISOR_API: 'http://172.30.32.2' }), {
      url: 'http://172.30.32.2',
      token: 'abc',
    });
    assert.equal(supervisorFromEnv({}), undefined);
  });

  it('reads the host LAN address from /network/info: the primary interface first', async (t) => {
    const sup = await fakeSupervisor(t, { '/network/info': { status: 200, body: networkInfo() } });
    assert.equal(await fetchHostLanAddress(sup.endpoint), '192.168.1.20');
    assert.deepEqual(sup.requests, [{ path: '/network/info', authorization: `Bearer ${TOKEN}` }]);
  });

  it('without a primary interface: the first connected one with IPv4; none at all is an error', async (t) => {
    const info = networkInfo();
    const interfaces = info.data.interfaces;
    interfaces[1] = { ...interfaces[1]!, primary: false };
    const sup = await fakeSupervisor(t, {
      '/network/info': { status: 200, body: info },
    });
    assert.equal(await fetchHostLanAddress(sup.endpoint), '192.168.1.20');
    const none = await fakeSupervisor(t, {
      '/network/info': { status: 200, body: { result: 'ok', data: { interfaces: [interfaces[0]], docker: info.data.docker } } },
    });
    await assert.rejects(fetchHostLanAddress(none.endpoint), /no connected interface with an IPv4 address/);
  });

  it('reads the host-side port mapping from /addons/self/info', async (t) => {
    const sup = await fakeSupervisor(t, {
      '/addons/self/info': { status: 200, body: selfInfo({ '80/tcp': 80, '6123/tcp': 16123, '6123/udp': 16124, '1234/tcp': null }) },
    });
    assert.deepEqual(await fetchPortMapping(sup.endpoint), { '80/tcp': 80, '6123/tcp': 16123, '6123/udp': 16124, '1234/tcp': null });
    const host = await fakeSupervisor(t, { '/addons/self/info': { status: 200, body: selfInfo(null, true) } });
    assert.deepEqual(await fetchPortMapping(host.endpoint), {});
    const bad = await fakeSupervisor(t, { '/addons/self/info': { status: 200, body: selfInfo({ '6123/tcp': '16123' }) } });
    await assert.rejects(fetchPortMapping(bad.endpoint), /unusable port mapping "6123\/tcp"/);
  });

  it('resolveHostNetwork: both facts when the Supervisor answers; one warning per failed lookup', async (t) => {
    const log = captureLog();
    const sup = await fakeSupervisor(t, {
      '/network/info': { status: 200, body: networkInfo() },
      '/addons/self/info': { status: 200, body: selfInfo({ '6123/tcp': 6123, '6123/udp': 6123 }) },
    });
    assert.deepEqual(await resolveHostNetwork({ supervisor: sup.endpoint, needAddress: true, logger: log.logger }), {
      hostAddress: '192.168.1.20',
      ports: { '6123/tcp': 6123, '6123/udp': 6123 },
    });
    // server_ip set: the address is not asked for.
    const before = sup.requests.length;
    await resolveHostNetwork({ supervisor: sup.endpoint, needAddress: false, logger: log.logger });
    assert.deepEqual(
      sup.requests.slice(before).map((r) => r.path),
      ['/addons/self/info'],
    );
    assert.equal(log.problems().length, 0);
    const broken = await fakeSupervisor(t, { '/network/info': { status: 403, body: { result: 'error', message: 'Forbidden' } } });
    // The mapping is unknown, not empty: the setup view says so instead of calling the ports fine.
    assert.deepEqual(await resolveHostNetwork({ supervisor: broken.endpoint, needAddress: true, logger: log.logger }), {
      ports: {},
      portsUnknown: true,
    });
    assert.equal(log.problems().length, 2);
    assert.match(log.problems()[0]?.msg ?? '', /LAN address.*Forbidden.*set the server_ip option/);
    assert.match(log.problems()[1]?.msg ?? '', /port mapping/);
    assert.deepEqual(await resolveHostNetwork({ needAddress: true, logger: log.logger }), { ports: {} });
  });

  it("resolveHostAddresses: every interface's IPv4 and IPv6 address without its prefix; a failure is one warning and none", async (t) => {
    const log = captureLog();
    const sup = await fakeSupervisor(t, { '/network/info': { status: 200, body: networkInfo() } });
    assert.deepEqual(await resolveHostAddresses(sup.endpoint, log.logger), ['10.9.9.9', 'fe80::1', '192.168.1.20']);
    assert.equal(log.problems().length, 0);
    const broken = await fakeSupervisor(t, { '/network/info': { status: 403, body: { result: 'error', message: 'Forbidden' } } });
    assert.deepEqual(await resolveHostAddresses(broken.endpoint, log.logger), []);
    assert.equal(log.problems().length, 1);
    assert.match(
      log.problems()[0]?.msg ?? '',
      /cannot learn the host's addresses from the Supervisor \(Supervisor \/network\/info: Forbidden\)/,
    );
  });

  it('the setup view reads the port mapping the Supervisor tells: moved and disabled camera ports are errors', async (t) => {
    const sup = await fakeSupervisor(t, {
      '/network/info': { status: 200, body: networkInfo() },
      '/addons/self/info': {
        status: 200,
        body: selfInfo({ '80/tcp': 8080, '6123/tcp': 6123, '6123/udp': null, '1234/tcp': 1234 }),
      },
    });
    const log = captureLog();
    const hostNetwork = await resolveHostNetwork({ supervisor: sup.endpoint, needAddress: true, logger: log.logger });
    const hostAddresses = await resolveHostAddresses(sup.endpoint, log.logger);
    const h = await startHarness(
      { inAddon: true, serverIp: undefined },
      { hostNetwork, hostAddresses, cameraAddress: { address: '192.168.1.20', source: 'supervisor' } },
    );
    t.after(() => h.stop());
    const report = (await (await fetch(`http://127.0.0.1:${h.app.ports.web}/api/setup`)).json()) as SetupAnswer;
    assert.deepEqual(
      report.ports.rows.map((row) => [row.port, row.hostPort, row.verdict]),
      [
        ['80/tcp', 8080, 'moved'],
        ['6123/tcp', 6123, 'ok'],
        ['6123/udp', null, 'disabled'],
        ['1234/tcp', 1234, 'ok'],
      ],
    );
    assert.deepEqual(
      report.problems.filter((p) => p.key.startsWith('ports:')).map((p) => [p.key, p.severity]),
      [
        ['ports:80/tcp', 'error'],
        ['ports:6123/udp', 'error'],
      ],
    );
    assert.equal(report.problem, true);
    // Without the mapping (the Supervisor failed), the view says it does not know.
    const unknown = await startHarness({ inAddon: true }, { hostNetwork: { ports: {}, portsUnknown: true } });
    t.after(() => unknown.stop());
    const blind = (await (await fetch(`http://127.0.0.1:${unknown.app.ports.web}/api/setup`)).json()) as SetupAnswer;
    assert.deepEqual(
      blind.problems.map((p) => p.key).filter((key) => key.startsWith('ports:')),
      ['ports:unknown'],
    );
  });

  it('connects the bridge to the broker the Supervisor names', async (t) => {
    const broker = await MosquittoBroker.create();
    t.after(() => broker.dispose());
    const sup = await fakeSupervisor(t, {
      '/services/mqtt': {
        status: 200,
        body: { result: 'ok', data: { host: '127.0.0.1', port: broker.port, ssl: false, protocol: '3.1.1' } },
      },
    });
    const h = createHarness(undefined, { deps: { supervisor: sup.endpoint } });
    const rec = await MqttRecorder.connect(broker.url);
    t.after(async () => {
      await h.bridge.stop();
      await rec.close();
    });
    await h.bridge.start();
    await waitUntil(() => h.bridge.connected, 'connected via the Supervisor broker');
    assert.equal(h.bridge.status.source, 'supervisor');
    await rec.waitForMessage('a9_v720/bridge/state', 'online');
  });
});

/** A `GET /network/info` answer as the Supervisor gives it (supervisor/api/network.py). */
function networkInfo() {
  const ipv6 = {
    method: 'auto',
    addr_gen_mode: 'default',
    ip6_privacy: 'default',
    address: ['fe80::1/64'],
    nameservers: [],
    gateway: null,
    route_metric: null,
    ready: true,
  };
  return {
    result: 'ok',
    data: {
      interfaces: [
        {
          interface: 'wlan0',
          type: 'wireless',
          enabled: true,
          connected: false,
          primary: false,
          mac: '00:11:22:33:44:56',
          ipv4: { method: 'auto', address: ['10.9.9.9/24'], nameservers: [], gateway: null, route_metric: null, ready: false },
          ipv6,
          wifi: null,
          vlan: null,
          mdns: 'default',
          llmnr: 'default',
        },
        {
          interface: 'end0',
          type: 'ethernet',
          enabled: true,
          connected: true,
          primary: true,
          mac: '00:11:22:33:44:55',
          ipv4: {
            method: 'auto',
            address: ['192.168.1.20/24'],
            nameservers: ['192.168.1.1'],
            gateway: '192.168.1.1',
            route_metric: null,
            ready: true,
          },
          ipv6,
          wifi: null,
          vlan: null,
          mdns: 'default',
          llmnr: 'default',
        },
      ],
      docker: { interface: 'hassio', address: '172.30.32.0/23', gateway: '172.30.32.1', dns: '172.30.32.3' },
      host_internet: true,
      supervisor_internet: true,
    },
  };
}

/** The parts of `GET /addons/self/info` the add-on reads. */
function selfInfo(network: Record<string, unknown> | null, hostNetwork = false) {
  return { result: 'ok', data: { slug: 'a1b2c3d4_a9_v720', ingress_port: 1234, host_network: hostNetwork, network } };
}
