/**
 * Process entry: options → App → signals. `--demo [N]` also starts N simulated cameras
 * on loopback so the dashboard, snapshots and live view work without hardware; their code
 * (src/demo.ts, the simulator, its frames) is imported only then.
 */
import { App } from './app.js';
import { StartupError } from './errors.js';
import { ConfigError, loadConfig, resolveCameraAddress } from './config.js';
import { CameraNames, createLogger } from './log.js';
import { resolveDashboardUrl, resolveHostAddresses, resolveHostNetwork, supervisorFromEnv } from './ha/supervisor.js';
import type { Lifecycle } from './util/lifecycle.js';
import { errorMessage } from './util/error-message.js';

/** The Supervisor waits `timeout` seconds (config.yaml) before SIGKILL; finish well before. */
const SHUTDOWN_DEADLINE_MS = 8000;

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`a9-v720: configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { config, source, warnings } = loaded;
  const cameraNames = new CameraNames();
  const logger = createLogger(config.logLevel, undefined, cameraNames, config.logFormat);
  logger.info({ source, dataDir: config.dataDir }, `options from ${source}; data in ${config.dataDir}`);
  for (const warning of warnings) logger.warn(warning);

  const supervisor = supervisorFromEnv();
  const hostNetwork = await resolveHostNetwork({ supervisor, needAddress: config.serverIp === undefined, logger });
  const cameraAddress = resolveCameraAddress(config.serverIp, hostNetwork.hostAddress);
  const hostAddresses = supervisor ? await resolveHostAddresses(supervisor, logger) : [];
  const dashboardUrl = await resolveDashboardUrl({
    supervisor,
    host: cameraAddress.address,
    webPort: config.webPort,
    logger,
  });
  let app: App;
  try {
    // The constructor prepares the data dir and its secrets: a bad dir is one clear line, no stack.
    app = new App({ config, logger, supervisor, dashboardUrl, hostNetwork, hostAddresses, cameraAddress, cameraNames });
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      logger.flush();
      process.exit(1);
    }
    throw error;
  }
  try {
    await app.start();
  } catch (error) {
    if (error instanceof StartupError) {
      logger.fatal(error.message);
      await app.stop().catch(() => undefined);
      process.exit(1);
    }
    throw error;
  }

  let fleet: Lifecycle | undefined;
  if (config.demoCameras > 0) {
    const { startDemo } = await import('./demo.js');
    fleet = await startDemo(config, app.ports.http, app.ports.web, logger);
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // The cameras first (they use the server), then the server.
    (fleet?.stop() ?? Promise.resolve())
      .then(() => app.stop())
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(`shutdown failed: ${errorMessage(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`a9-v720: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
