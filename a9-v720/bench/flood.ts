/**
 * Issue 11 flood, end to end and bounded: a server process (default options, so max_cameras 64)
 * on a real mosquitto, then made-up camera ids from other "hosts" on loopback (127.0.0.2…):
 * N HTTP bootstrap requests and M TCP registrations. Prints ids sent / answered / kept, RSS
 * before and after, retained MQTT messages on the broker, cameras.json size, and the number of
 * warn lines. Loopback only; stops after --seconds even if not all requests went out.
 * Run: npx tsx bench/flood.ts [--bootstrap 20000] [--registrations 2000] [--hosts 50] [--seconds 120]
 */
import { statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { encodeCameraJson } from '../src/protocol/messages.js';
import { rawBootstrapRequest, rawHttpExchange } from '../src/simulator/bootstrap-client.js';
import { MosquittoBroker } from '../test/support/mosquitto.js';
import { MqttRecorder } from '../test/ha/mqtt-recorder.js';
import { mb, numberArg, processUsage, sleep, startServerProcess } from './support.js';

const bootstrapCount = numberArg('bootstrap', 20_000);
const registrationCount = numberArg('registrations', 2_000);
const hosts = Math.min(200, Math.max(1, numberArg('hosts', 50)));
const seconds = numberArg('seconds', 120);
const concurrency = 32;

const broker = await MosquittoBroker.create();
const server = await startServerProcess({ mqtt_url: broker.url, max_cameras: 64 });
const pid = server.child.pid as number;
await sleep(1500);
const rssBefore = processUsage(pid).rssBytes;
const deadline = performance.now() + seconds * 1000;
const host = (i: number): string => `127.0.0.${2 + (i % hosts)}`;
const fakeId = (i: number): string => `0800c0${i.toString(16).toUpperCase().padStart(6, '0')}`;

/** Runs `task(i)` for i < count with bounded concurrency, until the deadline. */
async function pool(count: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && performance.now() < deadline) await task(next++);
    }),
  );
  return Math.min(next, count);
}

const http = { ok: 0, limited: 0, full: 0, other: 0 };
const startedHttp = performance.now();
const bootstrapsSent = await pool(bootstrapCount, async (i) => {
  try {
    const answer = await rawHttpExchange('127.0.0.1', server.ports.http, rawBootstrapRequest(fakeId(i), '202212011602'), {
      localAddress: host(i),
      timeoutMs: 5000,
    });
    if (answer.status === 200) http.ok++;
    else if (answer.status === 429) http.limited++;
    else if (answer.status === 503) http.full++;
    else http.other++;
  } catch {
    http.other++;
  }
});
const httpSeconds = (performance.now() - startedHttp) / 1000;
const rssAfterHttp = processUsage(pid).rssBytes;

const tcp = { answered: 0, refused: 0 };
const open: net.Socket[] = [];
const startedTcp = performance.now();
const registrationsSent = await pool(
  registrationCount,
  (i) =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: server.ports.tcp, localAddress: host(i) }, () =>
        socket.write(encodeCameraJson({ code: 100, uid: fakeId(1_000_000 + i), token: 'deadbeef', domain: 'v720.naxclow.com' })),
      );
      let done = false;
      const finish = (answered: boolean): void => {
        if (done) return;
        done = true;
        if (answered) {
          tcp.answered++;
          open.push(socket);
        } else tcp.refused++;
        resolve();
      };
      socket.once('data', () => finish(true));
      socket.once('close', () => finish(false));
      socket.once('error', () => finish(false));
      socket.setTimeout(5000, () => {
        socket.destroy();
        finish(false);
      });
    }),
);
const tcpSeconds = (performance.now() - startedTcp) / 1000;
await sleep(2000);

const stats = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/stats`)).json()) as { cameras: number; online: number };
const camerasJson = await fetch(`http://127.0.0.1:${server.ports.web}/api/cameras`);
const listBytes = (await camerasJson.text()).length;
const retained = await MqttRecorder.retained(broker.url, ['#']);
const rssAfter = processUsage(pid).rssBytes;
for (const socket of open) socket.destroy();
await server.stop();
let fileBytes = 0;
try {
  fileBytes = statSync(path.join(server.dataDir, 'cameras.json')).size;
} catch {
  // no file: nothing was kept
}
await broker.dispose();

console.log(`flood from ${hosts} loopback hosts (127.0.0.2–127.0.0.${1 + hosts}), server with default limits, max_cameras 64`);
console.log(
  `HTTP bootstrap: ${bootstrapsSent} sent in ${httpSeconds.toFixed(1)} s → ${http.ok} answered 200, ${http.limited} refused 429 (rate limit), ${http.full} refused 503 (cap), ${http.other} other`,
);
console.log(
  `TCP registration: ${registrationsSent} sent in ${tcpSeconds.toFixed(1)} s → ${tcp.answered} answered, ${tcp.refused} closed unanswered`,
);
console.log(`kept: ${stats.cameras} cameras in the registry (${stats.online} online), GET /api/cameras ${listBytes} bytes`);
console.log(`RSS: ${mb(rssBefore)} before, ${mb(rssAfterHttp)} after bootstrap flood, ${mb(rssAfter)} after registrations`);
console.log(
  `retained MQTT messages on the broker: ${retained.size} (discovery configs: ${[...retained.keys()].filter((t) => t.endsWith('/config')).length})`,
);
console.log(`cameras.json after stop: ${fileBytes} bytes`);
console.log(`warn/error lines logged by the server: ${server.problems.length}`);
process.exit(0);
