/**
 * Who may use the web port. With host_network the listener is on the LAN too, so this
 * filter keeps the LAN out of the dashboard and control API: only loopback and the HA
 * ingress proxy get everything; LAN clients get the read-only media endpoints when
 * `lan_media` is on, and nothing else.
 */
import type Koa from 'koa';
import type { Logger } from '../log.js';
import { isLoopback, plainIp } from '../util/net.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';

export const INGRESS_PROXY_IP = '172.30.32.2';

const MEDIA_PATH = /^\/api\/cameras\/[^/]+\/(snapshot|stream|audio)$/;

export type AccessLevel = 'full' | 'media' | 'none';

export function accessLevel(remoteAddress: string | undefined, method: string, path: string, lanMedia: boolean): AccessLevel {
  const ip = plainIp(remoteAddress);
  if (isLoopback(ip) || ip === INGRESS_PROXY_IP) return 'full';
  if (lanMedia && (method === 'GET' || method === 'HEAD') && MEDIA_PATH.test(path)) return 'media';
  return 'none';
}

export function accessFilter(lanMedia: boolean, logger: Logger): Koa.Middleware {
  const denials = new RateLimitedLog(60_000);
  return async (ctx, next) => {
    const level = accessLevel(ctx.socket.remoteAddress, ctx.method, ctx.path, lanMedia);
    if (level === 'none') {
      const ip = plainIp(ctx.socket.remoteAddress);
      denials.maybe(ip, (suppressed) =>
        logger.warn(
          { ip, method: ctx.method, path: ctx.path, suppressed },
          `refused ${ctx.method} ${ctx.path} from ${ip}: only Home Assistant ingress and this host may use the dashboard${lanMedia ? ' (LAN clients may use snapshot/stream/audio)' : ' (lan_media is off)'}`,
        ),
      );
      ctx.status = 403;
      ctx.body = { error: 'forbidden: open the dashboard through Home Assistant' };
      return;
    }
    await next();
  };
}
