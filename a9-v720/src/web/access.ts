/**
 * Who may use the web port. The port is reachable from the LAN (mapped by the Supervisor), so
 * this filter keeps the LAN out of the dashboard and control API: only loopback and the HA
 * ingress proxy get everything; LAN clients get the read-only media endpoints when `lan_media`
 * is on and the URL carries the per-install media key, and nothing else.
 *
 * Browsers are the other way in: a page on any site can make the user's browser send requests
 * here. Two guards:
 * - DNS rebinding: a foreign name resolved to this host's address would inherit the trust given
 *   to an address. Requests that rely on their address (everything except keyed media) must name
 *   this host: an IP literal, localhost, the configured server address or the host's own names.
 *   Ingress requests come from HA itself, carrying the user's Host, and are HA-authenticated.
 * - Cross-site requests (CSRF): a form, `text/plain` or body-less POST needs no CORS preflight.
 *   Every POST, and every mutating request with a body, must be `application/json` (a cross-site
 *   page cannot send that without a preflight we never answer) and, outside ingress, an Origin
 *   header must name this host. A DELETE, PUT or PATCH without a body has no type to check
 *   (and no page can send one cross-site without a preflight).
 *
 * A refused request is answered at once, before its body, and its connection is closed: a client
 * must not hold a socket open by trickling a body nobody will read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../log.js';
import { isLoopback, plainIp } from '../util/net.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import type { MediaKey } from './media-key.js';

export const INGRESS_PROXY_IP = '172.30.32.2';
/**
 * HA Core's address on the Supervisor network (the bridge's gateway; Core runs on the host
 * network): where the MJPEG IP Camera entries the add-on creates fetch their keyed URLs from.
 */
export const HA_CORE_IP = '172.30.32.1';

const MEDIA_PATH = /^\/api\/cameras\/[^/]+\/(snapshot|stream|audio)$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type AccessLevel = 'full' | 'media' | 'none';

/**
 * `media` needs `keyOk`: the request carried the per-install media key. Keyed media is looked at
 * first: the key is its own authority, so such a request gets exactly the media level from any
 * address that may use keyed URLs (the LAN with `lan_media`, this host, ingress, and HA Core on
 * the Supervisor network, whose live camera entries need them even with `lan_media` off).
 */
export function accessLevel(
  remoteAddress: string | undefined,
  method: string,
  path: string,
  lanMedia: boolean,
  keyOk = false,
): AccessLevel {
  const ip = plainIp(remoteAddress);
  const internal = isLoopback(ip) || ip === INGRESS_PROXY_IP;
  const keyedMedia = keyOk && (method === 'GET' || method === 'HEAD') && MEDIA_PATH.test(path);
  if (keyedMedia && (lanMedia || internal || ip === HA_CORE_IP)) return 'media';
  return internal ? 'full' : 'none';
}

/** Whether a request carries a body (RFC 9112 §6.3): Transfer-Encoding, or a Content-Length above 0. */
export function hasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) !== 0;
}

/**
 * Must this mutating request be `application/json`? Every POST: a cross-site page can send one
 * without a preflight even without a body (a no-cors fetch). Other methods only with a body.
 */
export function needsJsonType(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'POST' || hasBody(headers);
}

/** The name in a Host (or Origin authority) without its port; IPv6 literals keep no brackets. */
export function hostName(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colon = value.indexOf(':');
  return colon >= 0 ? value.slice(0, colon) : value;
}

/** IP literals, localhost and this host's own names are ours; any other name is foreign. */
export function isOwnHost(authority: string, ownNames: readonly string[]): boolean {
  const name = hostName(authority);
  if (name === '') return false;
  return isIP(name) !== 0 || name === 'localhost' || ownNames.includes(name);
}

export interface AccessOptions {
  readonly lanMedia: boolean;
  readonly mediaKey: MediaKey;
  /** Lower-case host names besides IP literals and localhost (server_ip, host name, homeassistant.local…). */
  readonly ownNames: readonly string[];
  readonly logger: Logger;
  /**
   * Test hook: the address a connection stands for (tests cannot send from 172.30.32.1, so an
   * end-to-end test has connections from a spare loopback address stand for HA Core's).
   * Identity in production.
   */
  readonly peerAddress?: (socketAddress: string | undefined) => string | undefined;
}

export function accessFilter(options: AccessOptions): Koa.Middleware {
  const { lanMedia, mediaKey, ownNames, logger } = options;
  const peer = (ctx: Koa.Context): string =>
    plainIp(options.peerAddress ? options.peerAddress(ctx.socket.remoteAddress) : ctx.socket.remoteAddress);
  // Any LAN host or web page can trigger these at will: one line per kind and minute.
  const denials = new RateLimitedLog(logger, { intervalMs: 60_000 });
  const deny = (ctx: Koa.Context, status: number, kind: string, error: string, why: string): void => {
    const ip = peer(ctx);
    denials.warn(
      kind,
      { ip, method: ctx.method, path: ctx.path, host: ctx.get('host') },
      `refused ${ctx.method} ${ctx.path} from ${ip}: ${why}`,
    );
    ctx.status = status;
    ctx.body = { error };
    // Unread, the body would keep the socket: Node reads and discards it for as long as it comes
    // (no request timeout here, streams run for hours). With `Connection: close` Node ends and
    // destroys the socket as soon as the answer is out.
    ctx.set('Connection', 'close');
  };
  return async (ctx, next) => {
    const ip = peer(ctx);
    const viaIngress = ip === INGRESS_PROXY_IP;
    const keyOk = mediaKey.matches(ctx.query['key']);
    const level = accessLevel(ip, ctx.method, ctx.path, lanMedia, keyOk);
    // Keyed media carries its own authority, whatever name the client used for this host.
    if (!viaIngress && level !== 'media' && !isOwnHost(ctx.get('host'), ownNames)) {
      deny(
        ctx,
        403,
        'host',
        "forbidden: unknown Host (use this host's IP address)",
        `Host "${ctx.get('host')}" does not name this host (DNS rebinding?)`,
      );
      return;
    }
    if (level === 'none') {
      const media = MEDIA_PATH.test(ctx.path) && (ctx.method === 'GET' || ctx.method === 'HEAD');
      if (media && lanMedia) {
        deny(
          ctx,
          403,
          'media-key',
          'forbidden: media URLs on the LAN need the key; copy them from the dashboard',
          'a LAN media URL without the right key (copy the URLs from the dashboard)',
        );
      } else {
        deny(
          ctx,
          403,
          'lan',
          'forbidden: open the dashboard through Home Assistant',
          `only Home Assistant ingress and this host may use the dashboard${lanMedia ? ' (LAN clients may use the keyed snapshot/stream/audio URLs)' : ' (lan_media is off)'}`,
        );
      }
      return;
    }
    if (MUTATING.has(ctx.method)) {
      // The header itself, not ctx.is(): that one answers null for body-less requests.
      if (needsJsonType(ctx.method, ctx.req.headers) && ctx.request.type !== 'application/json') {
        deny(
          ctx,
          415,
          'csrf-type',
          'send the request as application/json',
          `a ${ctx.method} that is not application/json (cross-site form or text/plain?)`,
        );
        return;
      }
      const origin = ctx.get('origin');
      // X-Forwarded-Host: a proxy in front (as HA ingress does) keeps the browser's host there; a
      // cross-site page cannot set that header without a preflight.
      if (!viaIngress && origin !== '' && !sameHost(origin, ctx.get('host')) && !sameHost(origin, ctx.get('x-forwarded-host'))) {
        deny(ctx, 403, 'csrf-origin', 'forbidden: cross-origin request', `a ${ctx.method} from another origin (${origin})`);
        return;
      }
    }
    await next();
  };
}

function sameHost(origin: string, host: string): boolean {
  if (host.trim() === '') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false;
  }
}
