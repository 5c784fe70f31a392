/**
 * The add-on's web app (API and media routes over a running harness's registry, sessions and
 * media hub) served on loopback, with the client address taken from an `x-test-peer` header.
 * Every test socket is loopback, so this is how the access rules (LAN, ingress, the media key)
 * are tried for any peer address.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiRouter } from '../../src/web/api-routes.js';
import { MediaKey } from '../../src/web/media-key.js';
import { createMediaRouter } from '../../src/web/media-routes.js';
import { createPairingRouter, loadPairingHelperTemplate } from '../../src/web/pairing-routes.js';
import { createWebApp } from '../../src/web/server.js';
import type { Harness } from './app-harness.js';

/** The LAN address the app believes it has (what the dashboard would print in URLs). */
export const PEER_APP_HOST = '192.168.1.5';

export interface PeerRequest {
  readonly method?: string;
  readonly body?: string;
  /** The Host header; fetch's own (127.0.0.1:<port>) when absent. */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PeerWebApp {
  /** The response status for `pathname` asked by `peer`; mutating requests go as JSON, as the dashboard sends them. */
  status(peer: string, pathname: string, request?: PeerRequest): Promise<number>;
  close(): Promise<void>;
}

export async function serveWebAppAsPeer(
  h: Harness,
  options: { readonly lanMedia: boolean; readonly mediaKey: string; readonly ownNames?: readonly string[] },
): Promise<PeerWebApp> {
  const { lanMedia, mediaKey } = options;
  const web = createWebApp({
    lanMedia,
    mediaKey: MediaKey.fromValue(mediaKey),
    ownNames: options.ownNames ?? [],
    logger: h.log.logger,
    routers: [
      createApiRouter({
        registry: h.app.registry,
        control: h.app.sessions,
        frames: h.app.media,
        logger: h.log.logger,
        version: 'test',
        lan: { host: PEER_APP_HOST, webPort: () => 1234, lanMedia, mediaKey },
      }),
      createMediaRouter({ registry: h.app.registry, media: h.app.media, snapshotTimeoutMs: 5000, logger: h.log.logger }),
      createPairingRouter({ template: loadPairingHelperTemplate(), logger: h.log.logger }),
    ],
  });
  const handle = web.callback();
  const server = http.createServer((req, res) => {
    Object.defineProperty(req.socket, 'remoteAddress', { value: req.headers['x-test-peer'], configurable: true });
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    // node:http, not fetch: fetch sends its own Host whatever the caller sets, and the Host is
    // what the DNS-rebinding rule reads.
    status: (peer, pathname, { method = 'GET', body, host, headers = {} } = {}) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: pathname,
            agent: false,
            headers: {
              'x-test-peer': peer,
              host: host ?? `127.0.0.1:${port}`,
              ...(method !== 'GET' ? { 'content-type': 'application/json' } : {}),
              ...headers,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
