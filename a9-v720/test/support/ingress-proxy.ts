/**
 * A stand-in for Home Assistant ingress: serves `/api/hassio_ingress/<token>/<path>` by
 * forwarding `/<path>` to the add-on's web port with the browser's own headers (Host too) and
 * `X-Ingress-Path`, streaming responses
 * through unbuffered (MJPEG, SSE), and answering 404 to anything outside the prefix — so a
 * dashboard URL that escapes the prefix (`/api/…`) fails the way it would in Home Assistant.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IngressProxy {
  /** `/api/hassio_ingress/<token>` (no trailing slash), as sent in `X-Ingress-Path`. */
  readonly prefix: string;
  /** Where a browser opens the dashboard: `http://127.0.0.1:<port>/api/hassio_ingress/<token>/`. */
  readonly url: string;
  readonly port: number;
  /** Upstream paths forwarded so far (prefix stripped), in order. */
  readonly forwarded: string[];
  /** Request paths refused because they were outside the prefix. */
  readonly rejected: string[];
  /** Paths of the requests still open (streams, slow answers), in arrival order. */
  inFlight(): string[];
  close(): Promise<void>;
}

/** Hop-by-hop headers are per connection and never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export async function startIngressProxy(
  target: { host: string; port: number },
  token = randomBytes(16).toString('hex'),
): Promise<IngressProxy> {
  const prefix = `/api/hassio_ingress/${token}`;
  const forwarded: string[] = [];
  const rejected: string[] = [];
  const open = new Set<{ path: string }>();

  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(`${prefix}/`)) {
      rejected.push(url);
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`404: ${url} is outside the ingress prefix\n`);
      return;
    }
    const path = url.slice(prefix.length);
    forwarded.push(path);
    const entry = { path };
    open.add(entry);
    res.on('close', () => open.delete(entry));
    req.socket.setNoDelay(true);
    const upstream = http.request(
      {
        host: target.host,
        port: target.port,
        method: req.method,
        path,
        // One connection per request: streams end when either side goes away.
        agent: false,
        // As Home Assistant core and the Supervisor forward them (hassio/ingress.py and
        // supervisor/api/ingress.py `_init_header`): every end-to-end header, the browser's Host
        // and Origin included, plus the ingress path and the X-Forwarded-* set.
        headers: {
          ...endToEnd(req.headers),
          'x-hass-source': 'core.ingress',
          'x-ingress-path': prefix,
          'x-forwarded-for': req.socket.remoteAddress ?? '',
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
        },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEnd(upstreamRes.headers));
        // Headers go out now, not with the first body chunk: an SSE client waits for them.
        res.flushHeaders();
        upstreamRes.on('data', (chunk: Buffer) => res.write(chunk));
        upstreamRes.on('end', () => res.end());
        upstreamRes.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(`502: ${error.message}\n`);
    });
    // The browser closing the connection (img src removed, EventSource closed) must reach the
    // add-on, or the camera would keep streaming to nobody.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    prefix,
    url: `http://127.0.0.1:${port}${prefix}/`,
    port,
    forwarded,
    rejected,
    inFlight: () => [...open].map((entry) => entry.path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
