/**
 * Demo mode (`--demo [N]`): N simulated cameras on loopback next to the server, so the dashboard,
 * snapshots and live view work without hardware. main.ts imports this module only for `--demo`:
 * the simulator and its frames are not loaded in production.
 */
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { SimulatorFleet } from './simulator/fleet.js';
import { DEMO_PROFILES } from './simulator/profiles.js';
import type { Lifecycle } from './util/lifecycle.js';

export async function startDemo(config: Config, httpPort: number, webPort: number, logger: Logger): Promise<Lifecycle> {
  // Mixed profiles (ideal, lossy and resending, PCM audio, X6 mini): a demo shows what a real home gives.
  const profiles = config.demoProfiles ?? DEMO_PROFILES;
  const fleet = new SimulatorFleet({ count: config.demoCameras, host: '127.0.0.1', httpPort, profiles });
  await fleet.start();
  const mix = fleet.cameras.map((camera, index) => `${camera.id} ${profiles[index % profiles.length]}`).join(', ');
  logger.info(
    `demo mode: ${fleet.connected} of ${fleet.cameras.length} simulated cameras connected (${mix}); dashboard at http://127.0.0.1:${webPort}/`,
  );
  return fleet;
}
