/**
 * Fault drivers shared by the robustness tests and bench/faults.ts: simulated cameras that
 * disconnect (FIN), reset (RST), go silent and come back at random, and the check that the
 * server's view (registry / API) and the broker's retained states agree with reality.
 */
import { SimulatedCamera, type SimulatedCameraOptions } from '../../src/simulator/simulated-camera.js';
import { fleetCameraId, loopbackAddress } from '../../src/simulator/fleet.js';
import { MqttRecorder } from '../ha/mqtt-recorder.js';
export { seededRandom } from '../../src/simulator/seeded-random.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function chaosFleet(
  count: number,
  httpPort: number,
  prefix: string,
  options: Partial<SimulatedCameraOptions> = {},
): SimulatedCamera[] {
  return Array.from(
    { length: count },
    (_, i) =>
      new SimulatedCamera({
        id: fleetCameraId(prefix, i),
        host: '127.0.0.1',
        httpPort,
        localAddress: loopbackAddress(i, 20),
        heartbeatMs: 1000,
        reconnectMinMs: 200,
        reconnectMaxMs: 1500,
        ...options,
      }),
  );
}

export interface ChaosStats {
  stops: number;
  starts: number;
  resets: number;
  freezes: number;
}

/**
 * Each camera, every 0.3–2.5 s: if up, stop (FIN, stays down), reset (RST, reconnects by itself)
 * or go silent (the server must time it out; it then reconnects); if stopped by us, start again.
 * Returns the cameras we left stopped — they must end up offline, all others online.
 */
export interface FlapResult {
  readonly stats: ChaosStats;
  /** Cameras we stopped and left stopped. */
  readonly down: Set<string>;
  /** Cameras gone silent: their registration count then (they must register again to count as up). */
  readonly frozen: Map<string, number>;
}

export async function flap(cameras: readonly SimulatedCamera[], durationMs: number, random: () => number): Promise<FlapResult> {
  const stats: ChaosStats = { stops: 0, starts: 0, resets: 0, freezes: 0 };
  const down = new Set<string>();
  const frozen = new Map<string, number>();
  const until = Date.now() + durationMs;
  await Promise.all(
    cameras.map(async (camera) => {
      await sleep(random() * 1000);
      while (Date.now() < until) {
        await sleep(300 + random() * 2200);
        if (Date.now() >= until) break;
        if (down.has(camera.id)) {
          down.delete(camera.id);
          stats.starts++;
          camera.start().catch(() => undefined); // retries by itself
          continue;
        }
        if (!camera.isConnected) continue; // reconnecting on its own
        if ((frozen.get(camera.id) ?? -1) === camera.stats.registrations) continue; // silent, waiting for the server
        frozen.delete(camera.id);
        const roll = random();
        if (roll < 0.4) {
          stats.stops++;
          down.add(camera.id);
          camera.stop();
        } else if (roll < 0.85) {
          stats.resets++;
          camera.crash();
        } else {
          stats.freezes++;
          frozen.set(camera.id, camera.stats.registrations);
          camera.freeze();
        }
      }
    }),
  );
  return { stats, down, frozen };
}

/** Resolves once every camera is where `down` says it should be (reconnects and silent ones settled). */
export async function settle(cameras: readonly SimulatedCamera[], result: FlapResult, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { down, frozen } = result;
  for (;;) {
    const wrong = cameras.filter(
      (camera) => camera.isConnected === down.has(camera.id) || (frozen.get(camera.id) ?? -1) === camera.stats.registrations,
    );
    if (wrong.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`cameras did not settle: ${wrong.map((c) => `${c.id}:${c.isConnected ? 'up' : 'down'}`).join(', ')}`);
    }
    await sleep(100);
  }
}

export interface Agreement {
  /** Human-readable mismatches; empty when the server's view matches reality exactly. */
  readonly mismatches: string[];
  readonly connected: number;
}

/** Compares the connected simulated cameras with a set of ids the server reports online. */
export function compareOnline(cameras: readonly SimulatedCamera[], online: ReadonlySet<string>): string[] {
  const mismatches: string[] = [];
  for (const camera of cameras) {
    if (camera.isConnected !== online.has(camera.id)) {
      mismatches.push(
        `${camera.id}: camera ${camera.isConnected ? 'connected' : 'disconnected'}, server says ${online.has(camera.id) ? 'online' : 'offline'}`,
      );
    }
  }
  return mismatches;
}

/**
 * What the broker holds, compared with reality: every camera's retained availability, its
 * discovery config, the bridge state and the bridge's cameras-online count.
 */
export async function compareRetained(
  url: string,
  cameras: readonly SimulatedCamera[],
  base = 'a9_v720',
  prefix = 'homeassistant',
): Promise<Agreement> {
  const retained = await MqttRecorder.retained(url, [`${base}/+/availability`, `${base}/bridge/#`, `${prefix}/device/+/config`]);
  const mismatches: string[] = [];
  let connected = 0;
  for (const camera of cameras) {
    const want = camera.isConnected ? 'online' : 'offline';
    if (camera.isConnected) connected++;
    const held = retained.get(`${base}/${camera.id}/availability`)?.text;
    if (held !== want) mismatches.push(`${camera.id}: broker holds availability ${held ?? '(nothing)'}, camera is ${want}`);
    const discovery = retained.get(`${prefix}/device/a9v720_${camera.id}/config`)?.text ?? '';
    if (!discovery.includes(`"serial_number":"${camera.id}"`)) mismatches.push(`${camera.id}: no retained discovery`);
  }
  const bridge = retained.get(`${base}/bridge/state`)?.text;
  if (bridge !== 'online') mismatches.push(`bridge state is ${bridge ?? '(nothing)'}`);
  const count = retained.get(`${base}/bridge/cameras_online`)?.text;
  if (count !== String(connected)) mismatches.push(`bridge cameras_online is ${count ?? '(nothing)'}, ${connected} cameras are connected`);
  return { mismatches, connected };
}

/** Polls `compare` until it reports no mismatch, or returns the last mismatches. */
export async function eventuallyAgrees(compare: () => Promise<string[]> | string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mismatches = await compare();
    if (mismatches.length === 0 || Date.now() > deadline) return mismatches;
    await sleep(200);
  }
}
