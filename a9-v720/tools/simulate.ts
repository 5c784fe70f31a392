/**
 * Runs simulated cameras against any server (a local dev server or the add-on on a test
 * box): `npm run simulate -- --count 5 --host 127.0.0.1 --http-port 8080`.
 * Cameras bind 127.0.0.x source addresses, so the host must be a loopback address.
 */
import { createFleet, startFleet, stopFleet } from '../src/simulator/fleet.js';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const count = Number(arg('count', '3'));
const host = arg('host', '127.0.0.1');
const httpPort = Number(arg('http-port', '8080'));
const fps = Number(arg('fps', '10'));
if (!/^127\.|^::1$|^localhost$/.test(host)) {
  process.stderr.write('simulate: only loopback hosts are allowed (the simulator binds 127.0.0.x source addresses)\n');
  process.exit(2);
}
const fleet = createFleet({ count, host, httpPort, fps, idPrefix: arg('prefix', '0800c0S') });
const started = await startFleet(fleet);
process.stdout.write(`${started}/${count} simulated cameras registered with ${host}:${httpPort}; Ctrl-C to stop\n`);
for (const camera of fleet) {
  camera.on('disconnected', (reason) => process.stdout.write(`${camera.id} disconnected: ${reason}\n`));
  camera.on('registered', () => process.stdout.write(`${camera.id} registered\n`));
}
process.on('SIGINT', () => {
  stopFleet(fleet);
  process.exit(0);
});
