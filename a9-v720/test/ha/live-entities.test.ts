/**
 * Live camera entities end to end (issue 20, item 1): the whole app with simulator cameras over
 * real sockets, against the Supervisor + HA Core stand-in (test/support/ha-core-standin.ts),
 * whose mjpeg flow really fetches both URLs from the app's web server under the add-on's
 * hostname. Those fetches leave from 127.0.0.2, which the app is told stands for HA Core's
 * 172.30.32.1 (AppOptions.peerAddress): no test can send from 172.30.32.1 without a network
 * namespace, and this way the access rule for HA Core is the one under test (lan_media is off
 * here, so only HA Core's address with the key gets the media).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { plainIp } from '../../src/util/net.js';
import { rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { HaCoreStandin, type StandinOptions } from '../support/ha-core-standin.js';
import { taggedFrames } from '../support/media-client.js';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';

const HA_CORE_STANDS_IN = '127.0.0.2';

interface Setup {
  h: Harness;
  ha: HaCoreStandin;
  api: (pathname: string, init?: RequestInit) => Promise<Response>;
  online: (id: string) => Promise<void>;
  /** A restart on the same data dir; the cameras then register with the new app. */
  restart: () => Promise<void>;
}

async function setup(
  t: TestContext,
  options: { standin?: StandinOptions; liveEntities?: boolean; dataDir?: string; retryMs?: number } = {},
): Promise<Setup> {
  // The add-on's hostname:port → the app's real listener (the Supervisor network's DNS).
  const ha = new HaCoreStandin({
    resolve: (authority) => `127.0.0.1:${authority.slice(authority.lastIndexOf(':') + 1)}`,
    fetchFrom: HA_CORE_STANDS_IN,
    urlTimeoutMs: 10_000,
    ...options.standin,
  });
  await ha.start();
  // A fixed web port, as in the add-on (the container's 1234): the URLs stay the same across restarts.
  const webPort = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const h = await startHarness(
    { webPort, lanMedia: false, liveEntities: options.liveEntities ?? true, ...(options.dataDir ? { dataDir: options.dataDir } : {}) },
    {
      supervisor: ha.endpoint,
      liveEntities: { retryMs: options.retryMs ?? 300, coreTimeoutMs: 1500 },
      peerAddress: (address) => (plainIp(address) === HA_CORE_STANDS_IN ? '172.30.32.1' : address),
    },
  );
  t.after(async () => {
    await h.stop(!options.dataDir);
    await ha.stop();
  });
  const api = (pathname: string, init?: RequestInit) => fetch(`http://127.0.0.1:${h.app.ports.web}${pathname}`, init);
  const cameras = new Map<string, SimulatedCamera>();
  const online = async (id: string) => {
    const camera = h.camera(id, { frames: taggedFrames(id), fps: 10 });
    cameras.set(id, camera);
    await camera.start();
    await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online`, 30_000);
  };
  const restart = async () => {
    for (const camera of cameras.values()) camera.stop();
    await h.restart();
    await Promise.all([...cameras.keys()].map(online));
  };
  return { h, ha, api, online, restart };
}

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
const remembered = (h: Harness): unknown => JSON.parse(readFileSync(path.join(h.dataDir, 'live-entities.json'), 'utf8'));
const idle = async (h: Harness) => h.app.liveEntities?.idle();
const liveLines = (h: Harness) => h.log.lines.filter((line) => line['part'] === 'live');

describe('live camera entities', () => {
  it('first registration → one entry made through the flow, HA fetching both keyed URLs by the add-on hostname; restart: no duplicate; deleted in HA: stays deleted; button: back; forgotten: deleted', async (t) => {
    const { h, ha, api, online, restart } = await setup(t);
    await waitFor(() => ha.callCount() === 1, 'the start pass listed the entries');
    let registeredAt = 0;
    const unsubscribe = h.app.registry.on('online', () => (registeredAt ||= performance.now()));
    let entryAt = 0;
    await online('0800c0L00001');
    await waitFor(() => ha.entries.size === 1 && (entryAt ||= performance.now()) > 0, 'the entry');
    unsubscribe();
    const msToEntry = Math.round(entryAt - registeredAt);
    await idle(h);
    const [entry] = [...ha.entries.values()];
    const port = h.app.ports.web;
    const key = readFileSync(path.join(h.dataDir, 'media.key'), 'utf8').trim();
    assert.equal(entry?.title, '0800c0L00001', 'the title is the id of an unnamed camera');
    assert.equal(entry?.options['mjpeg_url'], `http://local-a9-v720:${port}/api/cameras/0800c0L00001/stream?key=${key}`);
    assert.equal(entry?.options['still_image_url'], `http://local-a9-v720:${port}/api/cameras/0800c0L00001/snapshot?key=${key}`);
    assert.equal(entry?.options['verify_ssl'], false);
    assert.deepEqual(
      ha.urlFetches.map((fetch) => [fetch.host, fetch.from, fetch.status]),
      [
        [`local-a9-v720:${port}`, HA_CORE_STANDS_IN, 200],
        [`local-a9-v720:${port}`, HA_CORE_STANDS_IN, 200],
      ],
      'HA Core opened the stream and the snapshot, as 172.30.32.1, under the add-on hostname, with lan_media off',
    );
    const firstStart = ha.callCount();
    assert.equal(ha.coreCalls.length, 3);
    assert.equal(ha.coreCalls[0], 'GET /api/config/config_entries/entry?domain=mjpeg');
    assert.equal(ha.coreCalls[1], 'POST /api/config/config_entries/flow');
    assert.match(ha.coreCalls[2] ?? '', /^POST \/api\/config\/config_entries\/flow\/[0-9A-Z]{26}$/);
    assert.equal(ha.flows.size, 0, 'no flow left open');
    const saved = remembered(h) as { version: number; cameras: Record<string, Record<string, unknown>> };
    assert.equal(saved.version, 1);
    assert.deepEqual(Object.keys(saved.cameras), ['0800c0L00001']);
    assert.equal(saved.cameras['0800c0L00001']?.['status'], 'created');
    assert.equal(saved.cameras['0800c0L00001']?.['entryId'], entry?.entry_id);
    assert.match(
      String(saved.cameras['0800c0L00001']?.['target']),
      /^local-a9-v720:\d+\|[0-9a-f]{16}$/,
      'hostname and a key fingerprint, not the key',
    );
    assert.deepEqual(await (await api('/api/cameras/0800c0L00001/live-entity')).json(), { state: 'created', entryId: entry?.entry_id });
    t.diagnostic(`HA Core calls, 1 camera, first start: ${firstStart}; registration → entry: ${msToEntry} ms`);

    // Restart on the same data dir: the camera reconnects, nothing new is made.
    await restart();
    await idle(h);
    assert.equal(ha.entries.size, 1, 'no duplicate after a restart');
    assert.equal(ha.callCount() - firstStart, 1, 'a restart costs one call: the entry list');
    t.diagnostic('HA Core calls, 1 camera, restart: 1');

    // The user deletes the entry in HA; the add-on restarts: it stays deleted.
    assert.ok(ha.deleteAsUser(entry?.entry_id ?? ''), 'the stand-in had the entry');
    await restart();
    await idle(h);
    assert.equal(ha.entries.size, 0, 'not re-created after the user deleted it');
    assert.deepEqual(remembered(h), { version: 1, cameras: { '0800c0L00001': { status: 'deleted' } } });
    assert.ok(h.log.find(/its live camera entry was deleted in Home Assistant; it stays deleted/), 'one line says so');
    await restart();
    await idle(h);
    assert.equal(ha.entries.size, 0, 'still deleted after another restart');
    assert.deepEqual(await (await api('/api/cameras/0800c0L00001/live-entity')).json(), { state: 'deleted' });

    // The button makes it again.
    const pressed = await api('/api/cameras/0800c0L00001/live-entity', post);
    assert.equal(pressed.status, 200);
    const [again] = [...ha.entries.values()];
    assert.deepEqual(await pressed.json(), { state: 'created', entryId: again?.entry_id });
    assert.equal(ha.entries.size, 1);
    const pressedTwice = await api('/api/cameras/0800c0L00001/live-entity', post);
    assert.deepEqual(await pressedTwice.json(), { state: 'created', entryId: again?.entry_id }, 'a second press changes nothing');
    assert.equal(ha.entries.size, 1, 'no duplicate from the button');

    // Forgotten in the panel: the entry goes too.
    assert.equal(
      (await api('/api/cameras/0800c0L00001', { method: 'DELETE', headers: { 'content-type': 'application/json' } })).status,
      204,
    );
    await waitFor(() => ha.entries.size === 0, 'the entry deleted');
    await idle(h);
    assert.deepEqual(remembered(h), { version: 1, cameras: {} });
    assert.deepEqual(
      h.log.problems().filter((line) => line['part'] === 'live'),
      [],
      'no warning on the happy path',
    );
  });

  it('10 cameras: HA Core calls on the first start and on a restart', async (t) => {
    const { h, ha, online, restart } = await setup(t);
    const ids = Array.from({ length: 10 }, (_, i) => `0800c0L001${String(i).padStart(2, '0')}`);
    await waitFor(() => ha.callCount() === 1, 'the start pass');
    const startedAt = Date.now();
    await Promise.all(ids.map(online));
    await waitFor(() => ha.entries.size === 10, 'ten entries', 60_000);
    const allMs = Date.now() - startedAt;
    await idle(h);
    const first = ha.callCount();
    assert.equal(first, 21, 'one list, then flow start and step per camera');
    assert.deepEqual(new Set([...ha.entries.values()].map((entry) => entry.title)), new Set(ids));
    await restart();
    await idle(h);
    assert.equal(ha.callCount() - first, 1, 'a restart: the entry list only');
    assert.equal(ha.entries.size, 10);
    t.diagnostic(`HA Core calls, 10 cameras: first start ${first}, restart 1; all ten entries ${allMs} ms after the cameras started`);
  });

  it('the entry is named after the camera; already_configured (made before a crash lost the file) is adopted, not duplicated', async (t) => {
    const { h, ha, api, online, restart } = await setup(t);
    await waitFor(() => ha.callCount() === 1, 'start pass');
    // Name it while HA Core is away, so the entry is made once it is back.
    ha.coreMode = 'down';
    await online('0800c0L00002');
    const renamed = await api('/api/cameras/0800c0L00002/name', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Garden"}',
    });
    assert.equal(renamed.status, 200);
    ha.coreMode = 'up';
    await waitFor(() => ha.entries.size === 1, 'the entry');
    await idle(h);
    const [entry] = [...ha.entries.values()];
    assert.equal(entry?.title, 'Garden');
    // The file is lost (a crash between HA's answer and the save): HA still has the URL.
    writeFileSync(path.join(h.dataDir, 'live-entities.json'), '{"version":1,"cameras":{}}\n');
    await restart();
    await waitFor(
      () => (remembered(h) as { cameras: Record<string, { status: string }> }).cameras['0800c0L00002']?.status === 'created',
      'adopted',
    );
    await idle(h);
    assert.equal(ha.entries.size, 1, 'no duplicate');
    assert.equal((remembered(h) as { cameras: Record<string, { entryId: string }> }).cameras['0800c0L00002']?.entryId, entry?.entry_id);
    assert.ok(h.log.find(/Home Assistant already had its live camera entry; the add-on takes it over/), 'a line says so');
  });

  it('a new hostname or media key replaces the entries (delete old, create new)', async (t) => {
    const { h, ha, online, restart } = await setup(t);
    await online('0800c0L00003');
    await waitFor(() => ha.entries.size === 1, 'the entry');
    await idle(h);
    const [old] = [...ha.entries.values()];
    ha.hostname = 'a1b2c3d4-a9-v720';
    await restart();
    await waitFor(() => ha.entries.size === 1 && !ha.entries.has(old?.entry_id ?? ''), 'replaced');
    await idle(h);
    const [fresh] = [...ha.entries.values()];
    assert.match(
      String(fresh?.options['mjpeg_url']),
      /^http:\/\/a1b2c3d4-a9-v720:\d+\/api\/cameras\/0800c0L00003\/stream\?key=[0-9a-f]{32}$/,
    );
    // The media key changes (the user deleted media.key): replaced again, with the new key.
    writeFileSync(path.join(h.dataDir, 'media.key'), `${'ab'.repeat(16)}\n`);
    await restart();
    await waitFor(() => String([...ha.entries.values()][0]?.options['mjpeg_url']).endsWith(`key=${'ab'.repeat(16)}`), 'new key');
    await idle(h);
    assert.equal(ha.entries.size, 1);
  });

  it('option off: nothing made by itself; the button makes it', async (t) => {
    const { h, ha, api, online } = await setup(t, { liveEntities: false });
    await online('0800c0L00004');
    await idle(h);
    assert.equal(ha.entries.size, 0);
    assert.equal(ha.callCount('POST'), 0, 'no flow started');
    assert.deepEqual(await (await api('/api/cameras/0800c0L00004/live-entity')).json(), { state: 'off' });
    const pressed = await api('/api/cameras/0800c0L00004/live-entity', post);
    assert.equal(pressed.status, 200);
    assert.equal(ha.entries.size, 1);
  });

  it('without homeassistant_api: one clear line, no Core call, everything else works, the button explains', async (t) => {
    const { h, ha, api, online } = await setup(t, { standin: { homeassistantApi: false } });
    await online('0800c0L00005');
    await idle(h);
    const lines = liveLines(h).filter((line) => /homeassistant_api is not granted/.test(line.msg));
    assert.equal(lines.length, 1, 'exactly one line');
    assert.equal(ha.coreCalls.length + ha.proxyRefusals.length, 0, 'no Core call');
    assert.equal((await api('/api/cameras')).status, 200, 'the API works');
    assert.equal((await api('/api/cameras/0800c0L00005/snapshot')).status, 200, 'media works');
    assert.deepEqual(await (await api('/api/cameras/0800c0L00005/live-entity')).json(), { state: 'unavailable', reason: 'no-core-api' });
    const pressed = await api('/api/cameras/0800c0L00005/live-entity', post);
    assert.equal(pressed.status, 503);
    assert.match(((await pressed.json()) as { error: string }).error, /homeassistant_api is not granted/);
  });

  it('the proxy refusing (a token without homeassistant_api) and Core answering 401, 500, 502 or nothing: retried, one line a minute, nothing lost', async (t) => {
    const { h, ha, api, online } = await setup(t, { retryMs: 150 });
    for (const mode of ['down', 'status-401', 'status-500', 'hang'] as const) {
      const id = `0800c0L0010${['down', 'status-401', 'status-500', 'hang'].indexOf(mode)}`;
      ha.coreMode = mode;
      const before = ha.coreCalls.length + ha.proxyRefusals.length;
      await online(id);
      // Several failed passes (each retried after 150 ms; 'hang' waits 1.5 s for the timeout).
      await waitFor(() => ha.coreCalls.length + ha.proxyRefusals.length >= before + 3, `${mode}: retries`, 20_000);
      const view = (await (await api(`/api/cameras/${id}/live-entity`)).json()) as { state: string; problem?: string };
      assert.equal(view.state, 'pending', `${mode}: still to be made`);
      assert.ok(view.problem && /HA Core/.test(view.problem), `${mode}: the panel sees why (${view.problem})`);
      ha.coreMode = 'up';
      await waitFor(() => [...ha.entries.values()].some((entry) => entry.title === id), `${mode}: made once Core answers`, 20_000);
    }
    await idle(h);
    const failures = liveLines(h).filter((line) => line.level === 40 && /trying again in/.test(line.msg));
    assert.equal(
      failures.length,
      1,
      `one warning for all those failures within a minute (${failures.map((line) => line.msg).join(' | ')})`,
    );
    assert.match(failures[0]?.msg ?? '', /HA Core .*HTTP 502/);
    assert.equal(ha.entries.size, 4, 'every camera got its entry, none twice');
    // The proxy refusing the token (homeassistant_api revoked while running): 401 like Core's own.
    ha.homeassistantApi = false;
    const refusedBefore = ha.proxyRefusals.length;
    const pressed = await api('/api/cameras/0800c0L00100/live-entity', post);
    assert.ok(ha.proxyRefusals.length > refusedBefore, 'the proxy refused the list call');
    assert.equal(pressed.status, 200, 'the entry is known to exist');
    assert.match(
      ((await pressed.json()) as { problem?: string }).problem ?? '',
      /HTTP 401: 401: Unauthorized/,
      'the panel sees the refusal',
    );
    ha.homeassistantApi = true;
  });

  it('HA Core cannot open the URLs (cannot_connect): the flow is closed, retried later', async (t) => {
    const { h, ha, api, online } = await setup(t, {
      standin: { resolve: () => '127.0.0.1:9', fetchFrom: HA_CORE_STANDS_IN },
      retryMs: 1000,
    });
    await online('0800c0L00006');
    for (const tries of [1, 2]) {
      await waitFor(() => ha.callCount('POST /api/config/config_entries/flow/') >= tries, `try ${tries}`, 20_000);
      await idle(h);
      // The next try is a second away: nothing of HA's is in flight now.
      assert.equal(ha.flows.size, 0, `try ${tries}: the refused flow was closed`);
      assert.equal(ha.entries.size, 0);
    }
    assert.ok(h.log.find(/cannot_connect on mjpeg_url.*can HA Core reach local-a9-v720/), 'the line names the field and the address');
    assert.deepEqual(((await (await api('/api/cameras/0800c0L00006/live-entity')).json()) as { state: string }).state, 'pending');
  });

  it('the endpoint: unknown camera 404, other addresses refused, a camera never online 409; the state file is bounded and checked', async (t) => {
    const { h, api } = await setup(t);
    assert.equal((await api('/api/cameras/0800c0L09999/live-entity')).status, 404);
    assert.equal((await api('/api/cameras/0800c0L09999/live-entity', post)).status, 404);
    h.app.registry.noteBootstrap('0800c0L00007', '127.0.0.1', undefined);
    const never = await api('/api/cameras/0800c0L00007/live-entity', post);
    assert.equal(never.status, 409, 'a camera that only bootstrapped gets no entry');
    // Another address than loopback and ingress (here HA Core's, key or not): refused before the route.
    const key = readFileSync(path.join(h.dataDir, 'media.key'), 'utf8').trim();
    for (const request of [
      `POST /api/cameras/0800c0L00007/live-entity?key=${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      `GET /api/cameras/0800c0L00007/live-entity?key=${key} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    ]) {
      const answer = await rawHttpExchange('127.0.0.1', h.app.ports.web, request, { localAddress: HA_CORE_STANDS_IN });
      assert.equal(answer.status, 403, request.split(' ')[0]);
    }
    // Form posts from another site: refused by the access filter before the route.
    const form = await api('/api/cameras/0800c0L00007/live-entity', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    assert.equal(form.status, 415);
    await h.stop(false);
    // A hand-made file with more cameras than max_cameras and junk: bounded on load.
    const cameras = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`CAM${String(i).padStart(4, '0')}`, { status: 'deleted' }]));
    writeFileSync(path.join(h.dataDir, 'live-entities.json'), JSON.stringify({ version: 1, cameras: { ...cameras, 'x y': 1 } }));
    await h.restart();
    await idle(h);
    assert.ok(
      h.log.find(/live-entities\.json: camera CAM1000: more than 1000 cameras \(max_cameras\), dropped \(and 200 more dropped\)/),
      'one line for the dropped records',
    );
    await waitFor(() => JSON.stringify(remembered(h)) === '{"version":1,"cameras":{}}', 'records of cameras not known dropped');
  });
});
