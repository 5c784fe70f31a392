/**
 * Starts the whole server in-process on 127.0.0.1 with ephemeral ports and a temporary data
 * dir, for end-to-end tests with the camera simulator over real sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from '../../src/app.js';
import { resolveCameraAddress, type Config } from '../../src/config.js';
import { SimulatedCamera, type SimulatedCameraOptions } from '../../src/simulator/simulated-camera.js';
import { createResolver } from '../../src/camera/setup/dns-check.js';
import { captureLog, type CapturedLog } from './log-capture.js';
import { NO_DNS } from './no-dns.js';

export interface Harness {
  app: App;
  log: CapturedLog;
  config: Config;
  dataDir: string;
  camera(id: string, options?: Partial<SimulatedCameraOptions>): SimulatedCamera;
  /** Stops cameras and the app; keeps the data dir unless `removeData`. */
  stop(removeData?: boolean): Promise<void>;
  /** Starts a fresh App on the same data dir (restart test). */
  restart(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    httpPort: 0,
    tcpPort: 0,
    webPort: 0,
    serverIp: '127.0.0.1',
    offlineAfterSeconds: 20,
    mqtt: {},
    discoveryPrefix: 'homeassistant',
    baseTopic: 'a9_v720',
    snapshotIntervalSeconds: 0,
    snapshotTimeoutSeconds: 5,
    lanMedia: true,
    liveEntities: true,
    // Tests run fleets of 100+ cameras; the cap itself is tested with a small explicit value.
    maxCameras: 1000,
    logLevel: 'debug',
    logFormat: 'json',
    dataDir: '',
    listenHost: '127.0.0.1',
    demoCameras: 0,
    inAddon: false,
    ...overrides,
  };
}

export async function startHarness(
  overrides: Partial<Config> = {},
  appOptions: Partial<ConstructorParameters<typeof App>[0]> = {},
): Promise<Harness> {
  const dataDir = overrides.dataDir || mkdtempSync(path.join(tmpdir(), 'a9-test-'));
  const config = testConfig({ ...overrides, dataDir });
  const log = captureLog('debug');
  const cameras: SimulatedCamera[] = [];
  const make = (): App =>
    new App({
      config,
      cameraAddress: resolveCameraAddress(config.serverIp, undefined),
      logger: log.logger,
      cameraNames: log.names,
      sessionTimeouts: { probeMs: 3000, reprobeMs: 500, echoMs: 3000 },
      media: { lingerMs: 300, watchdogMs: 3000, freshFrameMs: 1000 },
      // Never a real DNS server: tests of the setup check pass their fake one.
      dnsResolver: createResolver([NO_DNS]),
      ...appOptions,
    });
  const harness: Harness = {
    app: make(),
    log,
    config,
    dataDir,
    camera(id, options = {}) {
      const camera = new SimulatedCamera({
        id,
        host: '127.0.0.1',
        httpPort: harness.app.ports.http,
        heartbeatMs: 1000,
        reconnectMinMs: 200,
        reconnectMaxMs: 1000,
        ...options,
      });
      cameras.push(camera);
      return camera;
    },
    async stop(removeData = true) {
      for (const camera of cameras) camera.stop();
      await harness.app.stop();
      if (removeData) rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await harness.app.stop();
      harness.app = make();
      await harness.app.start();
    },
  };
  await harness.app.start();
  return harness;
}

/** Polls until `condition` is true; generous timeout, no timing assumptions. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
