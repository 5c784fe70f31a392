/**
 * A camera's own strings against the dashboard and Home Assistant (issue 22, item 7): ESC
 * sequences, C1 controls, bidi overrides and zero-width characters in the firmware `version`
 * header, the base info's version and Wi-Fi name and any other field are removed where they enter
 * (bootstrap, control parsing, the stored registry), so the registry, the API and HA's
 * `sw_version` hold plain text. A real camera (the simulator) on real sockets.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { rawBootstrapRequest, rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { cameraDevice } from '../../src/ha/discovery.js';
import { HaTopics } from '../../src/ha/topics.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';

/** What must never reach a viewer (camera-text.ts): controls, format characters, separators, lone surrogates. */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
/** An HTTP header cannot carry CR or LF; everything else a hostile camera may try. */
const HEADER_FIRMWARE = '\u001b[31m2022\u202e1201\u200b1602\u0085\u2066';
const JSON_DIRTY = '\u001b]0;pwned\u0007\u202e\u2028\u0000\ud800\u200d\ufeff';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

const dashboardCamera = async (id: string): Promise<Record<string, unknown>> => {
  const answer = await rawHttpExchange(
    '127.0.0.1',
    h.app.ports.web,
    `GET /api/cameras HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(answer.status, 200);
  const cameras = JSON.parse(answer.body) as Array<Record<string, unknown>>;
  const camera = cameras.find((entry) => entry['id'] === id);
  assert.ok(camera, `${id} is listed`);
  return camera;
};

test("the bootstrap's version header: stored clean, as the firmware of a camera that has not registered", async () => {
  const id = '0800c0E00001';
  const answer = await rawHttpExchange('127.0.0.1', h.app.ports.http, Buffer.from(rawBootstrapRequest(id, HEADER_FIRMWARE), 'utf8'));
  assert.equal(answer.status, 200);
  assert.equal(h.app.registry.get(id)?.firmware, '[31m202212011602');
  const shown = await dashboardCamera(id);
  assert.equal(shown['firmware'], '[31m202212011602', 'the dashboard shows it clean');
});

test('a registered camera: firmware, Wi-Fi name and other base-info strings are clean in the registry, the API and HA sw_version', async () => {
  const id = '0800c0E00002';
  const camera = h.camera(id, {
    firmware: HEADER_FIRMWARE,
    baseInfo: { wifiName: `Home${JSON_DIRTY}Net`, label: `\u2067${'y'.repeat(100)}` },
  });
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.baseInfo?.wifiName !== undefined, 'base info fetched');
  const record = h.app.registry.get(id);
  assert.ok(record, 'registered');
  assert.equal(record.firmware, '[31m202212011602');
  assert.equal(record.baseInfo?.version, '[31m202212011602');
  assert.equal(record.baseInfo?.wifiName, 'Home]0;pwnedNet');
  assert.equal(record.baseInfo?.['label'], 'y'.repeat(64), 'an unknown field: cleaned, then cut at 64');
  const shown = JSON.stringify(await dashboardCamera(id));
  assert.ok(!UNSHOWABLE.test(shown.replace(/\\u[0-9a-f]{4}/gi, (escape) => JSON.parse(`"${escape}"`) as string)), `the API shows ${shown}`);
  assert.ok(shown.includes('Home]0;pwnedNet'), 'the API shows the cleaned Wi-Fi name');
  const device = cameraDevice(record, {
    topics: new HaTopics('a9_v720', 'homeassistant'),
    dashboardUrl: 'http://127.0.0.1/',
    addonVersion: 'test',
  });
  assert.equal(device.sw_version, '[31m202212011602', "HA's sw_version");
  camera.stop();
});

test('strings from a registry file of an older version are cleaned when it is read', async () => {
  const id = '0800c0E00003';
  const h2 = await startHarness();
  try {
    await h2.app.stop();
    const file = path.join(h2.dataDir, 'cameras.json');
    const stored = {
      version: 1,
      cameras: [
        { id, ip: `127.0.0.1${JSON_DIRTY}`, registered: true, firmware: `v${JSON_DIRTY}1`, baseInfo: { wifiName: `w${JSON_DIRTY}` } },
      ],
    };
    writeFileSync(file, JSON.stringify(stored));
    await h2.restart();
    const record = h2.app.registry.get(id);
    assert.equal(record?.firmware, 'v]0;pwned1');
    assert.equal(record?.baseInfo?.wifiName, 'w]0;pwned');
    assert.equal(record?.ip, '127.0.0.1]0;pwned');
    assert.ok(readFileSync(file, 'utf8').length > 0, 'the file was read, not replaced by an empty one');
  } finally {
    await h2.stop();
  }
});
