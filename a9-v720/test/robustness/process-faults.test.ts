/**
 * Process faults: SIGTERM to the real server process while cameras stream to viewers, restart
 * on the same data dir, and damaged data files (corrupted or empty secret.key, leftover *.tmp
 * from a write interrupted before its rename).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SimulatedCamera } from '../../src/simulator/simulated-camera.js';
import { DeviceSecrets } from '../../src/camera/device-secrets.js';
import { freePort, MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor } from '../support/app-harness.js';
import { captureLog } from '../support/log-capture.js';
import { MqttRecorder } from '../ha/mqtt-recorder.js';
import { isOrderedSubsequence, openMjpeg, taggedFrames } from '../support/media-client.js';
import { NO_DNS } from '../support/no-dns.js';

const ROOT = new URL('../../', import.meta.url);

interface ServerChild {
  readonly child: ChildProcess;
  readonly lines: { level: number; msg: string }[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startChild(optionsFile: string, dataDir: string, webPort: number): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--options', optionsFile, '--data-dir', dataDir, '--listen', '127.0.0.1', '--dns-server', NO_DNS],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: { level: number; msg: string }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as { level: number; msg: string });
      } catch {
        lines.push({ level: 0, msg: part });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push({ level: 60, msg: `stderr: ${chunk.toString('utf8')}` }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${webPort}/api/info`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${lines.map((l) => l.msg).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, lines, exited };
}

test('SIGTERM while streaming to viewers: offline retained on the broker, clean exit within 5 s; a restart restores the known cameras', async () => {
  const broker = await MosquittoBroker.create();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'a9-sigterm-'));
  const ports = { http: await freePort(), tcp: await freePort(), web: await freePort() };
  const optionsFile = path.join(dataDir, 'options.json');
  writeFileSync(
    optionsFile,
    JSON.stringify({
      http_port: ports.http,
      tcp_port: ports.tcp,
      web_port: ports.web,
      server_ip: '127.0.0.1',
      mqtt_url: broker.url,
      log_level: 'info',
      log_format: 'json',
    }),
  );
  const ids = ['0800c0P00001', '0800c0P00002'];
  const cameras: SimulatedCamera[] = [];
  let server: ServerChild | undefined;
  try {
    server = await startChild(optionsFile, dataDir, ports.web);
    for (const id of ids) {
      const camera = new SimulatedCamera({
        id,
        host: '127.0.0.1',
        httpPort: ports.http,
        heartbeatMs: 1000,
        frames: taggedFrames(id),
        fps: 10,
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
      });
      cameras.push(camera);
      await camera.start();
    }
    const viewers = ids.flatMap((id) => [openMjpeg(ports.web, id), openMjpeg(ports.web, id)]);
    await waitFor(() => viewers.every((v) => v.parts.length >= 3), 'every viewer receives frames');
    await waitFor(() => server!.lines.some((l) => /MQTT connected/.test(l.msg)), 'bridge connected');
    const before = await MqttRecorder.retained(broker.url, ['a9_v720/bridge/state']);
    assert.equal(before.get('a9_v720/bridge/state')?.text, 'online');

    const sentAt = Date.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    const took = exit.at - sentAt;
    assert.equal(exit.code, 0, `exit code (signal ${exit.signal}); log:\n${server.lines.map((l) => l.msg).join('\n')}`);
    assert.ok(took < 5000, `exited ${took} ms after SIGTERM`);
    const ends = await Promise.all(viewers.map((v) => v.ended));
    assert.equal(ends.length, 4, 'every viewer was ended');
    for (const [i, viewer] of viewers.entries())
      assert.ok(isOrderedSubsequence(viewer.parts, taggedFrames(ids[Math.floor(i / 2)]!)), `viewer ${i} got its camera's frames, in order`);
    const held = await MqttRecorder.retained(broker.url, ['a9_v720/bridge/state']);
    assert.equal(held.get('a9_v720/bridge/state')?.text, 'offline', 'bridge offline retained on the broker');
    assert.ok(
      server.lines.some((l) => /SIGTERM received: shutting down/.test(l.msg)),
      'a log line says SIGTERM started the shutdown',
    );
    assert.ok(
      server.lines.some((l) => /MQTT: published offline and disconnected/.test(l.msg)),
      'offline published before disconnecting, not left to the will',
    );
    assert.ok(
      server.lines.some((l) => l.msg === 'stopped cleanly'),
      'a log line says the add-on stopped cleanly',
    );
    assert.deepEqual(
      server.lines.filter((l) => l.level >= 50).map((l) => l.msg),
      [],
      'no error lines',
    );
    const saved = JSON.parse(readFileSync(path.join(dataDir, 'cameras.json'), 'utf8')) as { cameras: { id: string }[] };
    assert.deepEqual(saved.cameras.map((c) => c.id).sort(), ids);

    // Restart on the same data dir: the cameras are known at once (offline), then come back by themselves.
    server = await startChild(optionsFile, dataDir, ports.web);
    const listed = (await (await fetch(`http://127.0.0.1:${ports.web}/api/cameras`)).json()) as {
      id: string;
      online: boolean;
      firmware?: string;
    }[];
    assert.deepEqual(listed.map((c) => c.id).sort(), ids, 'known cameras restored from the data dir');
    assert.ok(
      server.lines.some((l) => /restored 2 known camera\(s\)/.test(l.msg)),
      'a log line says 2 known cameras were restored',
    );
    const back = async (): Promise<boolean> => {
      const list = (await (await fetch(`http://127.0.0.1:${ports.web}/api/cameras`)).json()) as {
        id: string;
        online: boolean;
        tokenOk?: boolean;
      }[];
      return list.length === 2 && list.every((c) => c.online);
    };
    const deadline = Date.now() + 15_000;
    while (!(await back())) {
      assert.ok(Date.now() < deadline, 'cameras reconnected to the restarted server');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(!server.lines.some((l) => /token mismatch/.test(l.msg)), 'the same pwd after the restart (secret.key kept)');
    const retained = await MqttRecorder.retained(broker.url, ['a9_v720/bridge/state']);
    assert.equal(retained.get('a9_v720/bridge/state')?.text, 'online');
  } finally {
    for (const camera of cameras) camera.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await broker.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a corrupted or empty secret.key: clear warning, a new secret that then stays, known cameras kept', async () => {
  const h = await startHarness();
  try {
    const camera = h.camera('0800c0P00010');
    await camera.start();
    await h.app.sessions.get('0800c0P00010')?.ensureCommandMode();
    camera.stop();
    await h.app.stop();
    const secretFile = path.join(h.dataDir, 'secret.key');

    for (const damage of ['0123456789abcdef\u0000\u0000\u0000garbage', '']) {
      writeFileSync(secretFile, damage);
      const linesBefore = h.log.lines.length;
      await h.restart();
      const warnings = h.log.lines.slice(linesBefore).filter((l) => l.level >= 40);
      assert.equal(warnings.length, 1, `exactly one warning for ${JSON.stringify(damage)}: ${warnings.map((l) => l.msg).join(' | ')}`);
      assert.match(warnings[0]!.msg, /device secret file .*secret\.key is malformed; creating a new one \(cameras get new pwds\)/);
      assert.match(readFileSync(secretFile, 'utf8'), /^[0-9a-f]{64}\n$/, 'a valid new secret was written');
      assert.equal(h.app.registry.get('0800c0P00010')?.baseInfo?.wifiName, 'demo-wifi', 'cameras.json untouched');
      await h.app.stop();
    }
    // The new secret is stable from now on: the same pwd across another restart.
    const probe = captureLog('warn');
    const pwd = DeviceSecrets.load(h.dataDir, probe.logger).pwdFor('0800c0P00010', '127.0.0.1');
    assert.equal(DeviceSecrets.load(h.dataDir, probe.logger).pwdFor('0800c0P00010', '127.0.0.1'), pwd);
    assert.deepEqual(probe.problems(), []);
    await h.restart();
    const again = h.camera('0800c0P00010');
    await again.start();
    await waitFor(() => h.app.registry.get('0800c0P00010')?.online === true, 'online');
    assert.equal(h.app.registry.get('0800c0P00010')?.tokenOk, true, 'bootstrap handed out the new pwd');
    again.stop();
  } finally {
    await h.stop();
  }
});

test('leftover *.tmp files from an interrupted write are removed at start: the real files win, nothing is lost, saving still works', async () => {
  const h = await startHarness();
  try {
    const camera = h.camera('0800c0P00020');
    await camera.start();
    await h.app.sessions.get('0800c0P00020')?.ensureCommandMode();
    camera.stop();
    await h.app.stop();
    const secretBefore = readFileSync(path.join(h.dataDir, 'secret.key'), 'utf8');
    // A crash after open() but before rename(): half-written temp files, from this and from another pid.
    writeFileSync(path.join(h.dataDir, 'cameras.json.4242.tmp'), '{"version":1,"cameras":[{"id":"0800c0P0BAD1","ip":"10.');
    writeFileSync(path.join(h.dataDir, `cameras.json.${process.pid}.tmp`), '');
    writeFileSync(path.join(h.dataDir, 'secret.key.4242.tmp'), 'abc');
    const linesBefore = h.log.lines.length;
    await h.restart();
    assert.deepEqual(
      h.log.lines
        .slice(linesBefore)
        .filter((l) => l.level >= 40)
        .map((l) => l.msg),
      [],
      'no warnings: the real files are intact',
    );
    assert.deepEqual(
      h.app.registry.list().map((c) => c.id),
      ['0800c0P00020'],
    );
    assert.equal(h.app.registry.get('0800c0P00020')?.firmware, '202212011602');
    assert.equal(readFileSync(path.join(h.dataDir, 'secret.key'), 'utf8'), secretBefore, 'secret unchanged');
    assert.deepEqual(
      readdirSync(h.dataDir).filter((name) => name.endsWith('.tmp')),
      [],
      'stale temp files cleaned up',
    );
    assert.ok(h.log.find(/removed 3 half-written temporary file\(s\)/), 'the clean-up is logged');
    // A new camera is saved normally, over our own pid's stale temp file.
    const other = h.camera('0800c0P00021');
    await other.start();
    other.stop();
    await h.app.stop();
    const saved = JSON.parse(readFileSync(path.join(h.dataDir, 'cameras.json'), 'utf8')) as { cameras: { id: string }[] };
    assert.deepEqual(saved.cameras.map((c) => c.id).sort(), ['0800c0P00020', '0800c0P00021']);
    assert.equal(existsSync(path.join(h.dataDir, `cameras.json.${process.pid}.tmp`)), false, 'our temp file was renamed into place');
    assert.ok(!readdirSync(h.dataDir).some((name) => name.includes('corrupt')), 'nothing set aside');
    await h.restart();
    assert.equal(h.app.registry.size, 2);
  } finally {
    await h.stop();
  }
});
