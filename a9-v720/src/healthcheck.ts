/**
 * The container's health check (the Dockerfile's HEALTHCHECK, replacing config.yaml's obsolete
 * `watchdog`): is the add-on there for its cameras and for Home Assistant? Two probes, from
 * inside the container:
 * - the camera control port accepts a TCP connection (its listener is up; the old watchdog's
 *   check). The connection sends nothing and closes: the control server drops it without a line;
 * - the web server answers `GET /api/info` with 200. This one needs the event loop, so a hung
 *   process fails it even though the kernel still accepts connections on its ports.
 * Exit 0 when both pass, 1 otherwise (Docker's codes; 2 is reserved), with one line saying what
 * was checked or what failed: Docker keeps it in `docker inspect`'s health log. After three
 * failures in a row Docker marks the container unhealthy and the Supervisor's watchdog restarts
 * the add-on.
 *
 * `node dist/healthcheck.js --tcp 6123 --web 1234 [--host 127.0.0.1] [--timeout-ms 5000]`
 * Standalone on purpose (Node built-ins only): it starts every 30 s, and must not load the app.
 */
import http from 'node:http';
import net from 'node:net';

export interface HealthArgs {
  readonly host: string;
  readonly tcpPort: number;
  readonly webPort: number;
  /** Per probe; below Docker's own --timeout, so the line says which probe hung. */
  readonly timeoutMs: number;
}

/** The command line, or what is wrong with it. */
export function parseHealthArgs(argv: readonly string[]): HealthArgs | string {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? '';
    const value = argv[i + 1];
    if (!['--host', '--tcp', '--web', '--timeout-ms'].includes(name) || value === undefined)
      return `unknown or incomplete argument ${JSON.stringify(name)}`;
    values.set(name, value);
  }
  const whole = (name: string, min: number, max: number, fallback?: number): number | string => {
    const text = values.get(name);
    if (text === undefined) return fallback ?? `${name} is required`;
    const value = Number(text);
    return /^\d+$/.test(text) && value >= min && value <= max
      ? value
      : `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`;
  };
  const tcpPort = whole('--tcp', 1, 65535);
  const webPort = whole('--web', 1, 65535);
  const timeoutMs = whole('--timeout-ms', 100, 60_000, 5000);
  for (const value of [tcpPort, webPort, timeoutMs]) if (typeof value === 'string') return value;
  return { host: values.get('--host') ?? '127.0.0.1', tcpPort: Number(tcpPort), webPort: Number(webPort), timeoutMs: Number(timeoutMs) };
}

/** Undefined when the port accepts a connection within the timeout; else what happened. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | undefined): void => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

/** Undefined when GET /api/info answers 200 within the timeout; else what happened. */
export function probeWeb(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ host, port, path: '/api/info', headers: { host, connection: 'close' }, timeout: timeoutMs }, (response) => {
      response.resume();
      request.destroy();
      resolve(response.statusCode === 200 ? undefined : `answered ${response.statusCode ?? '?'}`);
    });
    request.once('timeout', () => {
      request.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    });
    request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Runs both probes; the exit code and the one line for Docker's health log. */
export async function checkHealth(args: HealthArgs): Promise<{ code: 0 | 1; line: string }> {
  const [tcp, web] = await Promise.all([
    probeTcp(args.host, args.tcpPort, args.timeoutMs),
    probeWeb(args.host, args.webPort, args.timeoutMs),
  ]);
  const problems = [
    ...(tcp === undefined ? [] : [`camera control port ${args.tcpPort}: ${tcp}`]),
    ...(web === undefined ? [] : [`web server port ${args.webPort}: ${web}`]),
  ];
  return problems.length === 0
    ? { code: 0, line: `healthy: camera control port ${args.tcpPort} accepts connections, web server port ${args.webPort} answers` }
    : { code: 1, line: `unhealthy: ${problems.join('; ')}` };
}

async function main(): Promise<void> {
  const args = parseHealthArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stdout.write(`unhealthy: health check misconfigured: ${args}\n`);
    process.exitCode = 1;
    return;
  }
  const { code, line } = await checkHealth(args);
  process.stdout.write(`${line}\n`);
  process.exitCode = code;
}

await main();
