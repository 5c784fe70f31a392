/**
 * The Core API client (src/ha/core-api.ts) against the Supervisor + HA Core stand-in, whose mjpeg
 * flow fetches the URLs from a small HTTP server standing for the add-on; and its parsers on
 * answers the stand-in never gives.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { CoreApi, CoreApiError, parseEntryList, parseFlowResult, type MjpegFields } from '../../src/ha/core-api.js';
import { fetchAddonIdentity } from '../../src/ha/supervisor.js';
import { HaCoreStandin, STANDIN_TOKEN } from '../support/ha-core-standin.js';

/** Stands for the add-on's web server: 200 on /ok…, 401 on /auth…, 404 otherwise. */
async function addonServer(t: TestContext): Promise<number> {
  const server = http.createServer((req, res) => {
    const status = req.url?.startsWith('/ok') ? 200 : req.url?.startsWith('/auth') ? 401 : 404;
    res.writeHead(status, { 'Content-Type': status === 200 ? 'multipart/x-mixed-replace; boundary=frame' : 'application/json' });
    // A stream never ends by itself: HA reads the headers only.
    if (status === 200) res.write('--frame\r\n');
    else res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

async function standin(t: TestContext, port: number): Promise<HaCoreStandin> {
  const ha = new HaCoreStandin({ resolve: () => `127.0.0.1:${port}`, urlTimeoutMs: 2000 });
  await ha.start();
  t.after(() => ha.stop());
  return ha;
}

const fields = (name: string, stream = '/ok/stream', still = '/ok/snapshot'): MjpegFields => ({
  name,
  mjpeg_url: `http://local-a9-v720:1234${stream}`,
  still_image_url: `http://local-a9-v720:1234${still}`,
  password: '',
  verify_ssl: false,
});

async function failure(promise: Promise<unknown>): Promise<CoreApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CoreApiError, `a CoreApiError, not ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('CoreApi against the stand-in', () => {
  it('creates an entry: flow start, user step, HA fetching both URLs; the list shows it; delete and delete again', async (t) => {
    const ha = await standin(t, await addonServer(t));
    const api = new CoreApi(ha.endpoint);
    const outcome = await api.createMjpegEntry(fields('Garden'));
    assert.equal(outcome.outcome, 'created');
    const entryId = outcome.outcome === 'created' ? outcome.entryId : '';
    assert.match(entryId, /^[0-9A-Z]{26}$/);
    assert.deepEqual(
      ha.urlFetches.map((fetch) => [fetch.url, fetch.host, fetch.status]),
      [
        ['http://local-a9-v720:1234/ok/stream', 'local-a9-v720:1234', 200],
        ['http://local-a9-v720:1234/ok/snapshot', 'local-a9-v720:1234', 200],
      ],
    );
    assert.equal(api.calls, 2);
    assert.deepEqual(await api.listMjpegEntries(), [{ entryId, title: 'Garden' }]);
    assert.equal(await api.deleteEntry(entryId), 'deleted');
    assert.equal(await api.deleteEntry(entryId), 'absent', '404 Invalid entry specified');
    assert.deepEqual(await api.listMjpegEntries(), []);
    assert.equal(api.calls, 6);
  });

  it('already_configured for a URL HA has; cannot_connect and invalid_auth come back as errors and close the flow', async (t) => {
    const ha = await standin(t, await addonServer(t));
    const api = new CoreApi(ha.endpoint);
    assert.equal((await api.createMjpegEntry(fields('A'))).outcome, 'created');
    assert.deepEqual(await api.createMjpegEntry(fields('B')), { outcome: 'already_configured' });
    assert.deepEqual(await api.createMjpegEntry(fields('C', '/ok/other', '/missing')), {
      outcome: 'errors',
      errors: { still_image_url: 'cannot_connect' },
    });
    assert.deepEqual(await api.createMjpegEntry(fields('D', '/missing')), { outcome: 'errors', errors: { mjpeg_url: 'cannot_connect' } });
    assert.deepEqual(await api.createMjpegEntry(fields('E', '/auth')), { outcome: 'errors', errors: { username: 'invalid_auth' } });
    assert.equal(ha.flows.size, 0, 'every flow ended');
    assert.equal(ha.entries.size, 1);
  });

  it("HA's schema check (400 with the field's message) is an error outcome too", async (t) => {
    const ha = await standin(t, await addonServer(t));
    const api = new CoreApi(ha.endpoint);
    // A value of the wrong type, as a future HA schema change could make ours.
    const wrong = JSON.parse(JSON.stringify({ ...fields('A'), verify_ssl: 'no' })) as MjpegFields;
    assert.deepEqual(await api.createMjpegEntry(wrong), { outcome: 'errors', errors: { verify_ssl: 'expected bool' } });
    assert.equal(ha.flows.size, 0, 'the flow was closed');
  });

  it('the proxy refusing, Core down, Core 401/500, Core silent, no Supervisor: typed failures', async (t) => {
    const ha = await standin(t, await addonServer(t));
    const api = new CoreApi(ha.endpoint, { timeoutMs: 500 });
    ha.homeassistantApi = false;
    let error = await failure(api.listMjpegEntries());
    assert.deepEqual([error.failure, error.status, error.message], ['refused', 401, 'HA Core entry list: HTTP 401: 401: Unauthorized']);
    ha.homeassistantApi = true;
    const wrongToken = new CoreApi({ url: ha.endpoint.url, token: 'not-ours' });
    assert.equal((await failure(wrongToken.listMjpegEntries())).status, 401);
    ha.coreMode = 'down';
    error = await failure(api.createMjpegEntry(fields('A')));
    assert.deepEqual(
      [error.failure, error.status, error.message],
      ['unreachable', 502, 'HA Core mjpeg flow start: HTTP 502: 502: Bad Gateway'],
    );
    ha.coreMode = 'status-401';
    assert.deepEqual([(await failure(api.deleteEntry('E1'))).failure, (await failure(api.deleteEntry('E1'))).status], ['refused', 401]);
    ha.coreMode = 'status-500';
    error = await failure(api.listMjpegEntries());
    assert.deepEqual([error.failure, error.status], ['bad-answer', 500]);
    assert.match(error.message, /HTTP 500: 500 Internal Server Error/);
    ha.coreMode = 'hang';
    error = await failure(api.listMjpegEntries());
    assert.deepEqual([error.failure, error.message], ['unreachable', 'HA Core entry list: no answer within 0.5 s']);
    await ha.stop();
    error = await failure(api.listMjpegEntries());
    assert.equal(error.failure, 'unreachable');
    assert.match(error.message, /cannot connect to the Supervisor/);
  });

  it('stopping ends a call in flight', async (t) => {
    const ha = await standin(t, await addonServer(t));
    const stop = new AbortController();
    const api = new CoreApi(ha.endpoint, { timeoutMs: 60_000, signal: stop.signal });
    ha.coreMode = 'hang';
    const call = failure(api.listMjpegEntries());
    setTimeout(() => stop.abort(), 50);
    assert.equal((await call).failure, 'unreachable');
  });

  it("the add-on's identity: hostname and whether homeassistant_api is granted", async (t) => {
    const ha = await standin(t, await addonServer(t));
    assert.deepEqual(await fetchAddonIdentity(ha.endpoint), { hostname: 'local-a9-v720', homeassistantApi: true });
    ha.homeassistantApi = false;
    ha.hostname = 'A1B2C3D4-a9-v720';
    assert.deepEqual(await fetchAddonIdentity(ha.endpoint), { hostname: 'a1b2c3d4-a9-v720', homeassistantApi: false });
    for (const bad of ['', 'a b', '-x', 'x'.repeat(64), 'evil/path']) {
      ha.hostname = bad;
      await assert.rejects(fetchAddonIdentity(ha.endpoint), /no usable hostname/, JSON.stringify(bad));
    }
    await assert.rejects(fetchAddonIdentity({ url: ha.endpoint.url, token: `${STANDIN_TOKEN}x` }), /Supervisor \/addons\/self\/info/);
  });
});

describe('answer parsers', () => {
  it('flow answers', () => {
    assert.deepEqual(parseFlowResult({ type: 'form', flow_id: 'F', step_id: 'user', errors: {} }, 'x'), {
      type: 'form',
      flowId: 'F',
      stepId: 'user',
      errors: {},
    });
    assert.deepEqual(parseFlowResult({ type: 'form', flow_id: 'F', step_id: 'user', errors: null }, 'x').type, 'form');
    assert.deepEqual(parseFlowResult({ type: 'create_entry', flow_id: 'F', title: 'T', result: { entry_id: 'E' } }, 'x'), {
      type: 'create_entry',
      flowId: 'F',
      entryId: 'E',
      title: 'T',
    });
    assert.deepEqual(parseFlowResult({ type: 'abort', flow_id: 'F', reason: 'already_configured' }, 'x'), {
      type: 'abort',
      flowId: 'F',
      reason: 'already_configured',
    });
    const cases: Array<[unknown, RegExp]> = [
      [null, /not a JSON object/],
      [[], /not a JSON object/],
      [{ type: 'form' }, /no flow_id in a "form" answer/],
      [{ type: 'form', flow_id: 'F' }, /a form without step_id/],
      [{ type: 'create_entry', flow_id: 'F', result: 'E' }, /create_entry without result.entry_id/],
      [{ type: 'create_entry', flow_id: 'F', result: { entry_id: '' } }, /create_entry without result.entry_id/],
      [{ type: 'abort', flow_id: 'F' }, /an abort without reason/],
      [{ type: 'menu', flow_id: 'F' }, /unexpected flow answer type "menu"/],
    ];
    for (const [body, message] of cases) {
      assert.throws(
        () => parseFlowResult(body, 'step'),
        (error: unknown) => error instanceof CoreApiError && error.failure === 'bad-answer' && message.test(error.message),
        JSON.stringify(body),
      );
    }
  });

  it('entry lists: mjpeg entries only; a broken one is an error', () => {
    assert.deepEqual(
      parseEntryList([
        { entry_id: 'E1', domain: 'mjpeg', title: 'Garden' },
        { entry_id: 'E2', domain: 'mqtt', title: 'MQTT' },
        { entry_id: 'E3', domain: 'mjpeg' },
        'junk',
      ]),
      [
        { entryId: 'E1', title: 'Garden' },
        { entryId: 'E3', title: '' },
      ],
    );
    assert.throws(() => parseEntryList({}), /not a JSON list/);
    assert.throws(() => parseEntryList([{ domain: 'mjpeg', title: 'x' }]), /an entry without entry_id/);
  });
});
