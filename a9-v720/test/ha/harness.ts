/**
 * Builds an MqttBridge around a real CameraRegistry, fake camera control/snapshots and a real
 * mosquitto, with timings small enough for tests. Reusable by the end-to-end test.
 */
import { CameraRegistry } from '../../src/camera/registry.js';
import type { CameraControl, SnapshotSource } from '../../src/camera/control.js';
import { MqttBridge, type MqttBridgeConfig, type MqttBridgeDeps, type MqttBridgeTiming } from '../../src/ha/bridge.js';
import { captureLog, type CapturedLog } from '../support/log-capture.js';
import { FakeCameraControl, FakeSnapshotSource } from './fakes.js';

export const TEST_TIMING: Partial<MqttBridgeTiming> = {
  reconnectPeriodMs: 200,
  connectTimeoutMs: 2_000,
  birthDelayMs: [0, 50],
  // Tests send births one after another and expect each to re-publish; the burst test sets its own.
  birthMinIntervalMs: 0,
  stopTimeoutMs: 2_000,
  supervisorTimeoutMs: 2_000,
};

export interface Harness {
  readonly registry: CameraRegistry;
  readonly control: FakeCameraControl;
  readonly snapshots: FakeSnapshotSource;
  readonly log: CapturedLog;
  readonly bridge: MqttBridge;
}

export function testConfig(brokerUrl: string | undefined, overrides: Partial<MqttBridgeConfig> = {}): MqttBridgeConfig {
  return {
    mqtt: brokerUrl ? { url: brokerUrl } : {},
    discoveryPrefix: 'homeassistant',
    baseTopic: 'a9_v720',
    snapshotIntervalSeconds: 0,
    snapshotTimeoutSeconds: 5,
    ...overrides,
  };
}

export function createHarness(
  brokerUrl: string | undefined,
  options: {
    config?: Partial<MqttBridgeConfig>;
    timing?: Partial<MqttBridgeTiming>;
    registry?: CameraRegistry;
    control?: CameraControl;
    snapshots?: SnapshotSource;
    deps?: Partial<MqttBridgeDeps>;
  } = {},
): Harness {
  const registry = options.registry ?? new CameraRegistry();
  const control = new FakeCameraControl(registry);
  const snapshots = new FakeSnapshotSource(registry);
  const log = captureLog('debug');
  const bridge = new MqttBridge({
    config: testConfig(brokerUrl, options.config),
    registry,
    control: options.control ?? control,
    snapshots: options.snapshots ?? snapshots,
    logger: log.logger,
    addonVersion: '0.1.0-test',
    dashboardUrl: 'http://127.0.0.1:1234/',
    timing: { ...TEST_TIMING, ...options.timing },
    ...options.deps,
  });
  return { registry, control, snapshots, log, bridge };
}
