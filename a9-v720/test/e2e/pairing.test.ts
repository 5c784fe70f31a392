/**
 * Pairing without the vendor app, end to end: the REAL helper (python3 src/pairing/a9-pair.py,
 * also a copy downloaded from POST /api/pairing-helper) against the simulator's access-point
 * mode on 127.0.0.1; after the accepted 204 the simulated camera restarts onto the home network,
 * bootstraps against the running add-on and appears in the registry and in GET /api/cameras.
 * Failure paths: nothing listening, a silent server, a camera that refuses, garbage answers —
 * each one sentence on stderr and its own exit code.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApCamera, type HomeNetwork } from '../../src/simulator/ap-camera.js';
import type { WifiCredentials } from '../../src/simulator/ap-exchange.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { oneSentence, runHelper } from '../support/python-helper.js';
import { within } from '../support/within.js';

let h: Harness;
let work: string;
const aps: ApCamera[] = [];
const servers: net.Server[] = [];

before(async () => {
  h = await startHarness();
  work = mkdtempSync(path.join(tmpdir(), 'a9-pair-'));
});
after(async () => {
  for (const ap of aps) ap.stop();
  for (const server of servers) server.close();
  rmSync(work, { recursive: true, force: true });
  await h.stop();
});

const home = (ssid: string, password: string): HomeNetwork => ({
  ssid,
  password,
  server: { host: '127.0.0.1', httpPort: h.app.ports.http },
});

async function apCamera(id: string, networks: readonly HomeNetwork[], extra: Partial<ConstructorParameters<typeof ApCamera>[0]> = {}) {
  const ap = new ApCamera({
    id,
    networks,
    station: { heartbeatMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000 },
    ...extra,
  });
  aps.push(ap);
  const accepted: WifiCredentials[] = [];
  const refused: string[] = [];
  ap.on('accepted', (wifi) => accepted.push(wifi));
  ap.on('refused', (reason) => refused.push(reason));
  const port = await ap.start();
  return { ap, port, accepted, refused };
}

/** A TCP server on 127.0.0.1 that does `onSocket` with every connection (the failure cases). */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('the real helper pairs a camera in access-point mode; it restarts, bootstraps and appears in the add-on', async () => {
  const id = '0800c0A00001';
  const { ap, port, accepted } = await apCamera(id, [home('Home Net', 'correct horse 1')]);
  const registered = new Promise((resolve) => ap.once('registered', resolve));
  const run = await runHelper(['--ssid', 'Home Net', '--password', 'correct horse 1', '--camera', `127.0.0.1:${port}`]);
  assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
  assert.equal(run.stderr, '', 'nothing on stderr when it works');
  const steps = [
    'Pairing the camera at 127.0.0.1:' + port + ' with the Wi-Fi network "Home Net".',
    'Note: the camera only joins 2.4 GHz Wi-Fi',
    '[1/4] Connecting to the camera',
    'connected.',
    '[2/4] Opening a session (cmd 115)',
    'the camera echoed it.',
    '[3/4] Logging in (code 501)',
    'the camera accepted the login.',
    '[4/4] Sending the Wi-Fi name and password (code 204)',
    'the camera accepted the network.',
    'Done: the camera restarts and joins "Home Net".',
  ];
  let at = 0;
  for (const step of steps) {
    const found = run.stdout.indexOf(step, at);
    assert.ok(found >= 0, `step "${step}" printed, in order; stdout:\n${run.stdout}`);
    at = found + step.length;
  }
  assert.ok(!run.stdout.includes('correct horse 1'), 'the password is not printed');
  assert.deepEqual(accepted, [{ ssid: 'Home Net', password: 'correct horse 1' }]);
  await within(registered, 15_000, 'registration of the paired camera with the add-on');
  await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online in the registry`);
  const list = (await (await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras`)).json()) as { id: string; online: boolean }[];
  assert.ok(
    list.some((camera) => camera.id === id && camera.online),
    `GET /api/cameras lists ${id} online: ${JSON.stringify(list.map((c) => c.id))}`,
  );
  assert.equal(ap.station?.baseInfo['wifiName'], 'Home Net', 'the camera runs on the network it was given');
  // The access point is gone once the camera restarted.
  const again = await runHelper(['--ssid', 'Home Net', '--password', 'correct horse 1', '--camera', `127.0.0.1:${port}`], {
    env: { A9_PAIR_TIMEOUT: '2' },
  });
  assert.equal(again.code, 3, `no camera any more at the old access point: ${again.stderr}`);
});

test('the helper downloaded from the panel carries tricky values byte-exactly to the camera (quotes, backslashes, unicode)', async () => {
  const ssid = 'Café "Wi\\Fi" 📶';
  const password = `pa'ss"wo\\rd ✓ \u{1F511} tab\there`;
  const response = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/pairing-helper`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ssid, password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const file = path.join(work, 'a9-pair.py');
  writeFileSync(file, await response.text());
  const id = '0800c0A00002';
  const { ap, port, accepted } = await apCamera(id, [home(ssid, password)], { answerDelayMs: 300, heartbeatMs: 100, writeMode: 'split' });
  const registered = new Promise((resolve) => ap.once('registered', resolve));
  let heartbeatAnswers = 0;
  ap.on('exchange', (outcome) => {
    if (outcome.kind === 'none') heartbeatAnswers++;
  });
  // No --ssid / --password: the filled-in defaults are used.
  const run = await runHelper(['--camera', `127.0.0.1:${port}`], { file });
  assert.equal(run.code, 0, `exit 0 expected; stderr: ${run.stderr}`);
  assert.deepEqual(accepted, [{ ssid, password }], 'the camera received exactly what the user typed');
  assert.ok(heartbeatAnswers > 0, "the helper answered the camera's heartbeats while it waited for slow answers");
  assert.ok(run.stdout.includes('with the Wi-Fi network "Café \\"Wi\\\\Fi\\" 📶".'), run.stdout);
  await within(registered, 15_000, 'registration of the paired camera');
  await waitFor(() => h.app.registry.get(id)?.online === true, `${id} online`);
});

test('nothing listening: one sentence, exit 3', async () => {
  const port = await rawServer(() => undefined);
  servers.pop()?.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const run = await runHelper(['--ssid', 'Home', '--password', '12345678', '--camera', `127.0.0.1:${port}`]);
  assert.equal(run.code, 3, run.stderr);
  assert.ok(oneSentence(run.stderr), `one sentence on stderr: ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, /No camera at 127\.0\.0\.1:\d+: the connection was refused/);
});

test('a server that accepts and never answers: timeout after the given seconds, exit 5', async () => {
  const port = await rawServer(() => undefined);
  const started = Date.now();
  const run = await runHelper(['--ssid', 'Home', '--password', '12345678', '--camera', `127.0.0.1:${port}`], {
    env: { A9_PAIR_TIMEOUT: '1' },
  });
  assert.equal(run.code, 5, run.stderr);
  assert.ok(oneSentence(run.stderr), `one sentence: ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, /did not answer the session opener \(cmd 115\) within 1 seconds/);
  assert.ok(Date.now() - started < 10_000, 'the env timeout was used, not the 10 s default');
  const flag = await runHelper(['--ssid', 'Home', '--password', '12345678', '--camera', `127.0.0.1:${port}`, '--timeout', '0.5'], {
    env: { A9_PAIR_TIMEOUT: '60' },
  });
  assert.equal(flag.code, 5, flag.stderr);
  assert.match(flag.stderr, /within 0\.5 seconds/, 'the flag wins over the environment');
});

test('a camera that refuses the network (unknown name, wrong password): exit 6, and it stays in access-point mode', async () => {
  const { port, accepted, refused } = await apCamera('0800c0A00003', [home('Home Net', 'correct horse 1')]);
  const wrong = await runHelper(['--ssid', 'Home Net', '--password', 'wrong horse 1', '--camera', `127.0.0.1:${port}`]);
  assert.equal(wrong.code, 6, wrong.stderr);
  assert.ok(oneSentence(wrong.stderr), `one sentence: ${JSON.stringify(wrong.stderr)}`);
  assert.match(wrong.stderr, /refused the Wi-Fi network "Home Net" \(status 500\): check the name and the password\./);
  assert.ok(wrong.stdout.includes('the camera accepted the login.') && !wrong.stdout.includes('Done'), wrong.stdout);
  const unknown = await runHelper(['--ssid', 'Neighbour', '--password', 'correct horse 1', '--camera', `127.0.0.1:${port}`]);
  assert.equal(unknown.code, 6, unknown.stderr);
  assert.deepEqual(accepted, []);
  assert.deepEqual(refused, ['wrong password for "Home Net"', 'no network named "Neighbour" in range']);
  assert.equal(h.app.registry.get('0800c0A00003'), undefined, 'a refused camera never reaches the add-on');
});

test('garbage answers: not the camera protocol, not JSON, no echo — each one sentence and its own exit code', async () => {
  const header = (cmd: number, payload = Buffer.alloc(0)): Buffer => {
    const out = Buffer.alloc(20 + payload.length);
    out.writeUInt32LE(payload.length, 0);
    out.writeUInt16LE(cmd, 4);
    payload.copy(out, 20);
    return out;
  };
  const cases: { what: string; answer: (socket: net.Socket) => void; code: number; says: RegExp }[] = [
    {
      what: 'an HTTP server',
      answer: (s) => s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n')),
      code: 7,
      says: /is not the camera protocol/,
    },
    {
      what: 'a wrong echo',
      answer: (s) => s.once('data', () => s.write(header(0, Buffer.from('{"code":1}')))),
      code: 4,
      says: /instead of echoing it/,
    },
    {
      what: 'a close without echo',
      answer: (s) => s.once('data', () => s.end()),
      code: 4,
      says: /closed the connection instead of echoing/,
    },
    {
      what: 'a non-JSON login answer',
      answer: (s) => {
        let n = 0;
        s.on('data', () => s.write(n++ === 0 ? header(115) : header(0, Buffer.from([0xff, 0xfe, 0x00]))));
      },
      code: 7,
      says: /answer from 127\.0\.0\.1:\d+ to the login \(code 501\) is not JSON \(starts fffe00\)/,
    },
    {
      what: 'a refused login',
      answer: (s) => {
        let n = 0;
        s.on('data', () => s.write(n++ === 0 ? header(115) : header(0, Buffer.from('{"code":501,"status":403}'))));
      },
      code: 6,
      says: /refused the login \(status 403\)/,
    },
  ];
  for (const { what, answer, code, says } of cases) {
    const port = await rawServer(answer);
    const run = await runHelper(['--ssid', 'Home', '--password', '12345678', '--camera', `127.0.0.1:${port}`], {
      env: { A9_PAIR_TIMEOUT: '3' },
    });
    assert.equal(run.code, code, `${what}: exit ${code} expected, got ${run.code}: ${run.stderr}`);
    assert.ok(oneSentence(run.stderr), `${what}: one sentence on stderr: ${JSON.stringify(run.stderr)}`);
    assert.match(run.stderr, says, what);
  }
});

test('answers among other traffic, trickled byte by byte, and a 204 answer without its code: still accepted (exit 0)', async () => {
  const packet = (cmd: number, payload = Buffer.alloc(0), pkgId = 0): Buffer => {
    const out = Buffer.alloc(20 + payload.length);
    out.writeUInt32LE(payload.length, 0);
    out.writeUInt16LE(cmd, 4);
    out.writeUInt32LE(pkgId, 16);
    payload.copy(out, 20);
    return out;
  };
  const json = (value: unknown): Buffer => packet(0, Buffer.from(JSON.stringify(value)));
  const received: unknown[] = [];
  const port = await rawServer((socket) => {
    let n = 0;
    let pending = Buffer.alloc(0);
    const trickle = (bytes: Buffer): void => {
      for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 20 && pending.length >= 20 + pending.readUInt32LE(0)) {
        const length = pending.readUInt32LE(0);
        const cmd = pending.readUInt16LE(4);
        const payload = pending.subarray(20, 20 + length);
        pending = pending.subarray(20 + length);
        if (cmd === 100) continue; // our heartbeat's answer
        received.push(cmd === 0 ? JSON.parse(payload.toString('utf8')) : cmd);
        n++;
        if (n === 1) trickle(Buffer.concat([packet(100), packet(115)]));
        if (n === 2)
          trickle(Buffer.concat([json({ code: 4, devPower: 90 }), packet(1, Buffer.alloc(30), 7), json({ code: 501, status: 200 })]));
        if (n === 3)
          trickle(Buffer.concat([json({ code: 502, content: { code: 216, status: 200 } }), json({ code: 502, content: { status: 200 } })]));
      }
    });
  });
  const run = await runHelper(['--ssid', 'Home', '--password', '12345678', '--camera', `127.0.0.1:${port}`], {
    env: { A9_PAIR_TIMEOUT: '5' },
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(received[0], 115);
  assert.deepEqual(Object.keys(received[1] as object), ['code', 'target', 'token', 'unixTimer']);
  assert.deepEqual(
    { ...(received[1] as object), unixTimer: 0 },
    { code: 501, target: 'deadbeef', token: 'This is TEST token', unixTimer: 0 },
  );
  assert.deepEqual(received[2], { code: 502, content: { code: 204, devTarget: 'deadbeef', s: 'Home', p: '12345678' } });
  assert.deepEqual(
    received[3],
    { code: 502, content: { code: 299, devTarget: 'deadbeef' } },
    'then the reboot, as the working client does',
  );
});

test('bad command lines never reach the network: exit 2 with the reason', async () => {
  const { port } = await apCamera('0800c0A00004', [home('Home', '12345678')]);
  let connections = 0;
  const probe = await rawServer(() => connections++);
  for (const [args, says] of [
    [['--ssid', 'Home', '--password', 'short'], /the Wi-Fi password has 5 characters; the camera needs 8 to 36/],
    [['--ssid', 'Home', '--password', 'x'.repeat(37)], /has 37 characters/],
    [['--ssid', '', '--password', '12345678'], /the Wi-Fi name is empty/],
    [['--ssid', 'é'.repeat(17), '--password', '12345678'], /the Wi-Fi name is 34 bytes long; a Wi-Fi name has at most 32 bytes/],
    [['--password', '12345678'], /the following arguments are required: --ssid/],
  ] as const) {
    const run = await runHelper([...args, '--camera', `127.0.0.1:${probe}`]);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, says);
  }
  assert.equal(connections, 0, 'no connection for a bad command line');
  const help = await runHelper(['--help']);
  assert.equal(help.code, 0);
  for (const line of [
    '0  the camera accepted',
    '3  no camera at the address',
    '4  the camera did not echo',
    '5  the camera did not answer in time',
    '6  the camera refused',
    "7  the camera's answer was malformed",
    '8  the camera closed the connection',
  ]) {
    assert.ok(help.stdout.includes(line), `--help documents exit code "${line}"`);
  }
  assert.match(help.stdout, /--camera CAMERA\s+the camera's address as HOST\[:PORT\] \(default\s+192\.168\.169\.1:6123\)/);
  const ok = await runHelper(['--ssid', 'Home', '--password', 'x'.repeat(36), '--camera', `127.0.0.1:${port}`]);
  assert.equal(ok.code, 6, 'a 36-character password is sent (and this camera refuses it as the wrong one)');
});
