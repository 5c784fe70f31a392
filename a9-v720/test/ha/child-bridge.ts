/**
 * Runs an MqttBridge in its own process (for the LWT test, which kills it with SIGKILL).
 * Usage: node --import tsx test/ha/child-bridge.ts <broker url>
 * Prints "connected" once the bridge is connected.
 */
import { CameraRegistry } from '../../src/camera/registry.js';
import { MqttBridge } from '../../src/ha/bridge.js';
import { createLogger } from '../../src/log.js';
import { FakeCameraControl, FakeSnapshotSource } from './fakes.js';

const url = process.argv[2];
if (!url) throw new Error('broker url missing');
const registry = new CameraRegistry();
const bridge = new MqttBridge({
  config: { mqtt: { url }, discoveryPrefix: 'homeassistant', baseTopic: 'a9_v720', snapshotIntervalSeconds: 0, snapshotTimeoutSeconds: 5 },
  registry,
  control: new FakeCameraControl(registry),
  snapshots: new FakeSnapshotSource(registry),
  logger: createLogger('warn', process.stderr),
  addonVersion: 'child',
  dashboardUrl: 'http://127.0.0.1:1234/',
  timing: { reconnectPeriodMs: 200 },
});
await bridge.start();
const timer = setInterval(() => {
  if (bridge.connected) {
    clearInterval(timer);
    process.stdout.write('connected\n');
  }
}, 10);
// Stay alive until killed.
setInterval(() => {}, 1 << 30);
