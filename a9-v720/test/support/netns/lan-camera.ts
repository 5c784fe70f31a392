/**
 * The LAN side of the network-namespace test, run as a child inside the "LAN" namespace:
 * a simulated camera that bootstraps against the host address, then a LAN viewer that takes a
 * snapshot and reads the MJPEG stream through the host's mapped web port.
 * `tsx lan-camera.ts <json options>`; prints one `RESULT <json>` line (or `FAILED <text>`).
 */
import http from 'node:http';
import { boundaryFromContentType, MjpegPartParser } from '../../../src/media/mjpeg.js';
import { bootstrap } from '../../../src/simulator/bootstrap-client.js';
import { loadAllFrames } from '../../../src/simulator/frame-library.js';
import { SimulatedCamera } from '../../../src/simulator/simulated-camera.js';

interface Options {
  id: string;
  host: string;
  localAddress: string;
  httpPort: number;
  webPort: number;
  /** Appended to media URLs (e.g. a media key query), may be empty. */
  query: string;
  frames: number;
  timeoutMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;

function get(path: string): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: options.host, port: options.webPort, path, localAddress: options.localAddress, timeout: options.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}

/** Reads MJPEG parts until `count` arrived; resolves with their sizes and the elapsed time. */
function readStream(path: string, count: number): Promise<{ sizes: number[]; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: options.host, port: options.webPort, path, localAddress: options.localAddress }, (res) => {
      const boundary = boundaryFromContentType(String(res.headers['content-type'] ?? ''));
      if (res.statusCode !== 200 || !boundary) {
        reject(new Error(`stream answered ${res.statusCode ?? 0} ${String(res.headers['content-type'])}`));
        req.destroy();
        return;
      }
      const parser = new MjpegPartParser(boundary);
      const sizes: number[] = [];
      res.on('data', (chunk: Buffer) => {
        for (const part of parser.push(chunk)) {
          if (part[0] !== 0xff || part[1] !== 0xd8) reject(new Error('a stream part is not a JPEG'));
          sizes.push(part.length);
        }
        if (sizes.length >= count) {
          resolve({ sizes, ms: performance.now() - started });
          req.destroy();
        }
      });
      res.on('error', () => undefined);
    });
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`stream: ${count} frames did not arrive in ${options.timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const answer = await bootstrap(options.host, options.httpPort, options.id, '202212011602', options.localAddress);
  const camera = new SimulatedCamera({
    id: options.id,
    host: options.host,
    httpPort: options.httpPort,
    localAddress: options.localAddress,
    frames: loadAllFrames(),
    fps: 10,
    heartbeatMs: 1000,
    reconnect: false,
  });
  const registered = new Promise<void>((resolve) => camera.once('registered', () => resolve()));
  await camera.start();
  await registered;
  const registeredMs = performance.now() - started;
  const snapshotStart = performance.now();
  const snapshot = await get(`/api/cameras/${options.id}/snapshot${options.query}`);
  const snapshotMs = performance.now() - snapshotStart;
  if (snapshot.status !== 200 || snapshot.body[0] !== 0xff || snapshot.body[1] !== 0xd8) {
    throw new Error(`snapshot answered ${snapshot.status} ${snapshot.type} (${snapshot.body.subarray(0, 120).toString('utf8')})`);
  }
  const stream = await readStream(`/api/cameras/${options.id}/stream${options.query}`, options.frames);
  const result = {
    bootstrap: { host: answer.host, tcpPort: answer.tcpPort },
    registeredMs: Math.round(registeredMs),
    snapshot: { status: snapshot.status, type: snapshot.type, bytes: snapshot.body.length, ms: Math.round(snapshotMs) },
    stream: { frames: stream.sizes.length, ms: Math.round(stream.ms), fps: Number(((stream.sizes.length * 1000) / stream.ms).toFixed(1)) },
    camera: {
      framesSent: camera.stats.framesSent,
      datagramsSent: camera.stats.datagramsSent,
      confirmsReceived: camera.stats.confirmsReceived,
    },
  };
  camera.stop();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`FAILED ${(error as Error).message}\n`);
    process.exit(1);
  },
);
