/**
 * A fake Supervisor for the network-namespace test, run as a child inside the "host" namespace:
 * `tsx fake-supervisor.ts <listen address> <token> <routes JSON>`. Prints `LISTENING <port>`.
 * Answers GET <path> with the JSON of that route when the bearer token matches.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [address = '127.0.0.1', token = '', routesJson = '{}'] = process.argv.slice(2);
const routes = JSON.parse(routesJson) as Record<string, unknown>;

const server = createServer((req, res) => {
  const body = req.headers.authorization === `Bearer ${token}` ? routes[req.url ?? ''] : undefined;
  res.writeHead(body === undefined ? 404 : 200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body ?? { result: 'error', message: `no route ${req.url ?? ''}` }));
  process.stdout.write(`REQUEST ${req.url ?? ''}\n`);
});
server.listen(0, address, () => process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
