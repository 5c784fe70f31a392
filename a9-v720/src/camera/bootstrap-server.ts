/**
 * HTTP bootstrap on `http_port` (docs/protocol.md §2): tells a camera which host and TCP port
 * to use and which pwd to present. Tolerates the camera's quirks (POST without body or
 * Content-Length, extra headers) and logs every request, since these logs are how users
 * discover new firmware behaviour.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from '../log.js';
import { isThisHost, plainIp } from '../util/net.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { handleClientErrors } from '../util/http-client-errors.js';
import { TokenBuckets, type TokenBucketLimits } from '../util/token-bucket.js';
import { cleanCameraText, FIRMWARE_MAX } from '../protocol/camera-text.js';
import { isDeviceId } from '../protocol/device-id.js';
import type { DeviceSecrets } from './device-secrets.js';
import type { CameraRegistry } from './registry.js';
import type { BootstrapEndpoint, BootstrapObserver } from './setup/journey.js';

/**
 * A camera asks a handful of times per boot; a scanner or a flood asks thousands of times.
 * Requests from the add-on host itself (demo cameras, local tools) are not limited.
 */
export const DEFAULT_BOOTSTRAP_LIMITS: TokenBucketLimits = { capacity: 30, refillPerSecond: 2 };

export interface BootstrapDeps {
  readonly registry: CameraRegistry;
  readonly secrets: DeviceSecrets;
  readonly logger: Logger;
  /** The IPv4 cameras must connect to; `localAddress` is the address the camera reached us on. */
  readonly serverIpFor: (localAddress: string) => string;
  readonly tcpPort: () => number;
  /** Requests per source IP (token bucket). */
  readonly limits?: TokenBucketLimits;
  /** Told of every request that names a camera the registry holds (the setup view's journeys). */
  readonly observer?: BootstrapObserver;
}

/** The vendor cloud's envelope: `操作成功` means "operation succeeded". */
function ok(data: unknown): { code: number; message: string; data: unknown } {
  return { code: 200, message: '操作成功', data };
}

const optionalFirmware = (firmware: string | undefined): { firmware?: string } => (firmware !== undefined ? { firmware } : {});

/** What the first middleware learns about the peer, for every route and log line. */
interface PeerState {
  ip: string;
  localAddress: string;
}

export function createBootstrapApp(deps: BootstrapDeps): Koa<PeerState> {
  const { registry, secrets, logger } = deps;
  // Such firmware calls getDevInfo two or three times per boot: one line per camera is enough.
  const mqttOnlyLineBudget = new TokenBuckets({ capacity: 10, refillPerSecond: 0.1 });
  const mqttOnlyLog = new RateLimitedLog(logger, { intervalMs: 60 * 60_000, budget: () => mqttOnlyLineBudget.take('getDevInfo') });
  const app = new Koa<PeerState>();
  const router = new Router<PeerState>();
  const buckets = new TokenBuckets(deps.limits ?? DEFAULT_BOOTSTRAP_LIMITS);
  // Warnings that any LAN host can trigger at will: one line per kind and minute, with a count.
  const warnings = new RateLimitedLog(logger, { intervalMs: 60_000 });

  const deviceId = (ctx: Koa.Context): string | undefined => {
    const code = ctx.query['devicesCode'];
    return isDeviceId(code) ? code : undefined;
  };
  /**
   * The camera's firmware version, cleaned here where it enters (protocol/camera-text.ts). Node
   * hands header values over as latin1: read the bytes as the UTF-8 a sender would mean, so that
   * e.g. U+202E is recognised and removed rather than left as mojibake.
   */
  const firmwareHeader = (ctx: Koa.Context): string | undefined => {
    const version = cleanCameraText(Buffer.from(ctx.get('version'), 'latin1').toString('utf8'), FIRMWARE_MAX);
    return version !== '' ? version : undefined;
  };

  router.all('/app/api/ApiServer/getA9ConfCheck', (ctx) => {
    const id = deviceId(ctx);
    if (!id) {
      ctx.status = 400;
      ctx.body = { code: 400, message: 'missing or malformed devicesCode', data: null };
      warnings.warn(
        'no-id',
        { ip: ctx.state.ip, query: ctx.querystring },
        `getA9ConfCheck from ${ctx.state.ip} without a usable devicesCode`,
      );
      return;
    }
    if (!registry.noteBootstrap(id, ctx.state.ip, firmwareHeader(ctx))) {
      ctx.status = 503;
      ctx.body = { code: 503, message: `camera limit reached (max_cameras ${registry.maxCameras})`, data: null };
      return;
    }
    const host = deps.serverIpFor(ctx.state.localAddress);
    deps.observer?.bootstrapRequest(id, {
      ip: ctx.state.ip,
      endpoint: 'getA9ConfCheck',
      ...optionalFirmware(firmwareHeader(ctx)),
      sentTo: `${host}:${deps.tcpPort()}`,
    });
    ctx.body = ok({
      tcpPort: deps.tcpPort(),
      uid: id,
      isBind: '8',
      domain: ctx.get('host').split(':')[0] || 'v720.naxclow.com',
      updateUrl: null,
      host,
      currTime: String(Math.floor(Date.now() / 1000)),
      pwd: secrets.pwdFor(id, ctx.state.ip),
      version: null,
    });
    logger.info({ camera: id, ip: ctx.state.ip, host }, `bootstrapped from ${ctx.state.ip}: sent to ${host}:${deps.tcpPort()}`);
  });

  router.all('/app/api/ApiSysDevicesBatch/registerDevices', (ctx) => {
    // First boot of a factory-fresh camera: it asks for an id. Vendor ids look like 0800c00128F8.
    const id = `0800c0${randomBytes(3).toString('hex').toUpperCase()}`;
    ctx.body = ok(id);
    logger.info({ ip: ctx.state.ip, query: ctx.querystring, assigned: id }, `camera at ${ctx.state.ip} registered as new device ${id}`);
  });

  /** The journeys want each endpoint a known camera called; ids the registry does not hold are ignored there. */
  const observe = (ctx: Koa.ParameterizedContext<PeerState>, endpoint: BootstrapEndpoint): void => {
    const id = deviceId(ctx);
    if (id) deps.observer?.bootstrapRequest(id, { ip: ctx.state.ip, endpoint, ...optionalFirmware(firmwareHeader(ctx)) });
  };

  /** A call that may or may not name the camera: with an id, the line's `camera` says who. */
  const logCall = (ctx: Koa.ParameterizedContext<PeerState>, what: string): void => {
    const id = deviceId(ctx);
    logger.info(
      { camera: id, ip: ctx.state.ip },
      id ? `${what} (from ${ctx.state.ip})` : `a camera at ${ctx.state.ip} ${what} (without a usable devicesCode)`,
    );
  };

  router.all('/app/api/ApiSysDevicesBatch/confirm', (ctx) => {
    observe(ctx, 'confirm');
    ctx.body = ok(null);
    logCall(ctx, 'confirmed its device id');
  });

  router.all('/app/api/ApiSysDevices/a9bindingAppDevice', (ctx) => {
    observe(ctx, 'a9bindingAppDevice');
    ctx.body = ok(null);
    logCall(ctx, 'asked to bind to the app');
  });

  router.all('/app/api/ApiSysDevices/getDevInfo', (ctx) => {
    const id = deviceId(ctx);
    ctx.body = ok({ userInfo_state: 1 });
    if (id) {
      const camera = registry.get(id);
      if (!camera?.online) registry.noteMqttOnly(id, ctx.state.ip);
      observe(ctx, 'getDevInfo');
      const firmware = firmwareHeader(ctx);
      // One line per camera and hour, within a budget for all of them: made-up ids are free.
      mqttOnlyLog.warn(
        id,
        { camera: id, ip: ctx.state.ip, firmware },
        `called getDevInfo from ${ctx.state.ip} (firmware ${firmware ?? 'unknown'}): newer "MQTT-only" firmware that may never open the TCP channel; please report it`,
      );
      logger.debug({ camera: id, ip: ctx.state.ip }, `called getDevInfo (from ${ctx.state.ip})`);
    }
  });

  app.use(async (ctx, next) => {
    ctx.state.ip = plainIp(ctx.socket.remoteAddress);
    ctx.state.localAddress = plainIp(ctx.socket.localAddress);
    if (!isThisHost(ctx.state.ip) && !buckets.take(ctx.state.ip)) {
      ctx.status = 429;
      ctx.set('Connection', 'close');
      ctx.body = { code: 429, message: 'too many requests', data: null };
      warnings.warn('rate', { ip: ctx.state.ip }, `too many bootstrap requests from ${ctx.state.ip}: refused (429) until it slows down`);
      return;
    }
    logger.debug(
      { ip: ctx.state.ip, method: ctx.method, path: ctx.path, query: ctx.querystring, host: ctx.get('host') },
      `HTTP ${ctx.method} ${ctx.url} from ${ctx.state.ip}`,
    );
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { code: 404, message: `unknown path ${ctx.path}`, data: null };
      warnings.warn(
        'unknown-path',
        {
          ip: ctx.state.ip,
          method: ctx.method,
          path: ctx.path,
          query: ctx.querystring,
          host: ctx.get('host'),
          userAgent: ctx.get('user-agent'),
        },
        `unknown HTTP path from ${ctx.state.ip}: ${ctx.method} ${ctx.path}${ctx.querystring ? `?${ctx.querystring}` : ''} (Host: ${ctx.get('host') || '-'}) — new firmware behaviour? please report`,
      );
    }
  });
  app.use(router.routes());
  app.on('error', (error: Error, ctx?: Koa.ParameterizedContext<PeerState>) => {
    logger.warn({ ip: ctx?.state.ip, err: error.message }, `HTTP bootstrap error for ${ctx?.state.ip ?? 'a client'}: ${error.message}`);
  });
  return app;
}

/** The raw HTTP server with limits suited to a LAN full of cheap cameras and scanners. */
export function createBootstrapServer(deps: BootstrapDeps): http.Server {
  // koa's handler settles every request itself (errors go to ctx.onerror); its promise needs no await.
  const handle = createBootstrapApp(deps).callback();
  const server = http.createServer(
    {
      // Camera firmware writes sloppy HTTP; accept it rather than dropping the camera.
      insecureHTTPParser: true,
      maxHeaderSize: 8 * 1024,
      requestTimeout: 10_000,
      headersTimeout: 5_000,
      keepAliveTimeout: 5_000,
      // Node checks the timeouts above only this often (default 30 s): slowloris clients would linger.
      connectionsCheckingInterval: 1_000,
    },
    (request, response) => void handle(request, response),
  );
  handleClientErrors(server, deps.logger, { port: 'bootstrap', timeoutCovers: 'request' });
  return server;
}
