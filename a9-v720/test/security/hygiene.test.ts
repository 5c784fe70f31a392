/**
 * Small things a hostile LAN sender could abuse (issue 11, "smaller"): log text, one id rule,
 * length caps on camera-sent strings, and warnings limited per kind rather than per sender.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { encodeCameraJson, parseCameraMessage, toBaseInfo } from '../../src/protocol/messages.js';
import { isDeviceId } from '../../src/protocol/device-id.js';
import { CameraRegistry } from '../../src/camera/registry.js';
import { captureLog } from '../support/log-capture.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.stop());

test('log text from the network cannot forge or reverse lines: U+2028/U+2029, bidi and C1 controls are escaped', () => {
  const log = captureLog('debug');
  const hostile = 'cam\u2028FAKE LINE\u2029 \u202egnp.exe \u0085 \u200f end';
  log.logger.warn({ camera: hostile, nested: { path: `/x\u202e` } }, `unknown path ${hostile}`);
  const line = log.lines[0]!;
  for (const text of [line.msg, String(line['camera']), JSON.stringify(line['nested'])]) {
    assert.doesNotMatch(text, /[\u2028\u2029\u202e\u0085\u200f]/u, `raw control in ${JSON.stringify(text)}`);
  }
  assert.match(line.msg, /cam\\u2028FAKE LINE\\u2029 \\u202egnp\.exe \\u0085 \\u200f end/);
});

test('one device id rule for bootstrap, TCP registration and UDP probe', () => {
  for (const ok of ['0800c00128F8', '56000b00054B', 'abcd', 'A'.repeat(32)]) assert.ok(isDeviceId(ok), ok);
  for (const bad of ['', 'abc', 'A'.repeat(33), 'cam_1', 'cam-1', 'a b c d', '0800c0\u202e0128', '../etc', 'bridge/x']) {
    assert.ok(!isDeviceId(bad), bad);
    const register = parseCameraMessage(Buffer.from(JSON.stringify({ code: 100, uid: bad, token: 'x' })));
    assert.equal(register.ok, false, `registration with uid ${JSON.stringify(bad)} is refused`);
    const probe = parseCameraMessage(Buffer.from(JSON.stringify({ code: 51, devTarget: bad, status: 200 })));
    assert.equal(probe.ok, false, `probe with devTarget ${JSON.stringify(bad)} is refused`);
  }
});

test('camera-sent strings are capped before they are stored or published', () => {
  const huge = 'x'.repeat(40_000);
  const fields: Record<string, unknown> = { code: 4, version: huge, wifiName: huge, IrLed: 1 };
  for (let i = 0; i < 500; i++) fields[`extra${i}`] = i;
  fields['k'.repeat(100)] = 1;
  const info = toBaseInfo(fields);
  // Capped, not dropped: the first 64 characters are kept.
  assert.equal(info.version, 'x'.repeat(64), 'version capped at 64 characters');
  assert.equal(info.wifiName, 'x'.repeat(64), 'wifiName capped at 64 characters');
  assert.ok(Object.keys(info).length <= 48, `${Object.keys(info).length} fields kept`);
  assert.equal(info.IrLed, 1, 'real fields survive');
  const registry = new CameraRegistry();
  registry.markOnline('0800c00128F8', '10.0.0.2', true);
  registry.mergeBaseInfo('0800c00128F8', info);
  registry.mergeBaseInfo('0800c00128F8', toBaseInfo(Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`more${i}`, i]))));
  const camera = registry.get('0800c00128F8')!;
  assert.equal(camera.firmware, 'x'.repeat(32), 'firmware (from the version) capped at 32 characters');
  assert.ok(Object.keys(camera.baseInfo ?? {}).length <= 48, 'merged base info stays capped');
});

test('UDP junk from many ports is one warn line per kind, with a count', async () => {
  const before = h.log.problems().length;
  const sockets = await Promise.all(
    Array.from(
      { length: 40 },
      () =>
        new Promise<dgram.Socket>((resolve) => {
          const socket = dgram.createSocket('udp4');
          socket.bind(0, '127.0.0.5', () => resolve(socket));
        }),
    ),
  );
  for (const socket of sockets) {
    socket.send(Buffer.from('not a packet at all, just junk'), h.app.ports.tcp, '127.0.0.1');
    socket.send(encodeCameraJson({ code: 51, devTarget: '0800c0NOSUCH', status: 200 }), h.app.ports.tcp, '127.0.0.1');
  }
  await waitFor(() => h.app.mediaChannel.stats.rejected >= 80, 'all 80 datagrams counted');
  for (const socket of sockets) socket.close();
  const lines = h.log
    .problems()
    .slice(before)
    .filter((line) => /ignored UDP datagram/.test(line.msg));
  assert.equal(lines.length, 2, lines.map((l) => l.msg).join('\n'));
});
