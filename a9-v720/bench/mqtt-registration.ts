/**
 * Issue benchmark, end to end: N simulated cameras register over TCP with a server process
 * connected to a real mosquitto; measures, per camera, the time from its registration answer
 * (101) to its retained `online` availability arriving at a subscriber — what Home Assistant
 * would see. The discovery config itself goes out earlier, at the HTTP bootstrap (the device
 * appears offline first); it must be there by the time the camera is online.
 * Run: npx tsx bench/mqtt-registration.ts [--cameras 200]
 */
import { connectAsync } from 'mqtt';
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import { MosquittoBroker } from '../test/support/mosquitto.js';
import { numberArg, percentile, startServerProcess } from './support.js';

const cameraCount = numberArg('cameras', 200);

const broker = await MosquittoBroker.create();
const server = await startServerProcess({ mqtt_url: broker.url });
const subscriber = await connectAsync(broker.url);
const discoveredAt = new Map<string, number>();
const onlineAt = new Map<string, number>();
subscriber.on('message', (topic, payload) => {
  const discovery = /^homeassistant\/device\/a9v720_(.+)\/config$/.exec(topic)?.[1];
  if (discovery && payload.length > 0 && !discoveredAt.has(discovery)) discoveredAt.set(discovery, performance.now());
  const online = /^a9_v720\/(.+)\/availability$/.exec(topic)?.[1];
  if (online && payload.toString() === 'online' && !onlineAt.has(online)) onlineAt.set(online, performance.now());
});
await subscriber.subscribeAsync(['homeassistant/device/+/config', 'a9_v720/+/availability']);

const fleet = createFleet({ count: cameraCount, host: '127.0.0.1', httpPort: server.ports.http, withMedia: false, idPrefix: '0800c0R' });
const registeredAt = new Map<string, number>();
for (const camera of fleet) camera.once('registered', () => registeredAt.set(camera.id, performance.now()));
const started = performance.now();
await Promise.all(fleet.map((camera) => camera.start()));
const deadline = performance.now() + 30_000;
while (fleet.some((camera) => !onlineAt.has(camera.id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));

const latencies = fleet.flatMap((camera) => {
  const from = registeredAt.get(camera.id);
  const to = onlineAt.get(camera.id);
  return from !== undefined && to !== undefined ? [to - from] : [];
});
const allAt = Math.max(...fleet.map((camera) => onlineAt.get(camera.id) ?? Number.NaN));
const discoveryBeforeOnline = fleet.filter(
  (camera) => (discoveredAt.get(camera.id) ?? Infinity) <= (onlineAt.get(camera.id) ?? -Infinity),
).length;
console.log(
  JSON.stringify(
    {
      cameras: cameraCount,
      onlineInMqtt: latencies.length,
      discoveryBeforeOnline,
      registrationToOnlineP50Ms: Number(percentile(latencies, 50).toFixed(1)),
      registrationToOnlineP99Ms: Number(percentile(latencies, 99).toFixed(1)),
      registrationToOnlineMaxMs: Number(Math.max(...latencies).toFixed(1)),
      allOnlineInMqttAfterStartMs: Math.round(allAt - started),
      serverWarnings: server.problems.length,
    },
    null,
    2,
  ),
);
stopFleet(fleet);
await subscriber.endAsync();
await server.stop();
await broker.dispose();
