/**
 * The web port: access filter, JSON API, media endpoints and the dashboard's static files.
 * Served directly and through HA ingress, so every link the dashboard uses is relative.
 */
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import type Router from '@koa/router';
import serveStatic from 'koa-static';
import type { Logger } from '../log.js';
import { handleClientErrors } from '../util/http-client-errors.js';
import { accessFilter } from './access.js';
import { errorResponder } from './error-responder.js';
import type { MediaKey } from './media-key.js';

/** Works from src/ (tsx) and from dist/ (the build copies public/ next to the compiled code). */
export const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

export interface WebServerDeps {
  readonly lanMedia: boolean;
  readonly mediaKey: MediaKey;
  /** Host names this server answers to besides IP literals and localhost (see access.ts). */
  readonly ownNames: readonly string[];
  readonly logger: Logger;
  readonly routers: readonly Router[];
  /** Test hook: the address a connection stands for (see access.ts). */
  readonly peerAddress?: (socketAddress: string | undefined) => string | undefined;
}

export function createWebApp(deps: WebServerDeps): Koa {
  const app = new Koa();
  app.use(errorResponder(deps.logger));
  app.use(
    accessFilter({
      lanMedia: deps.lanMedia,
      mediaKey: deps.mediaKey,
      ownNames: deps.ownNames,
      logger: deps.logger,
      ...(deps.peerAddress ? { peerAddress: deps.peerAddress } : {}),
    }),
  );
  for (const router of deps.routers) app.use(router.routes()).use(router.allowedMethods());
  app.use(serveStatic(PUBLIC_DIR, { index: 'index.html', maxage: 0 }));
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api/')) {
      // Set the status explicitly: koa turns an implicit 404 into 200 when a body is assigned.
      ctx.status = 404;
      ctx.body = { error: `no such endpoint ${ctx.path}` };
    }
  });
  app.on('error', (error: NodeJS.ErrnoException) => {
    // Viewers closing a stream mid-write are routine, not errors.
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    deps.logger.warn({ err: error.message }, `web server error: ${error.message}`);
  });
  return app;
}

export function createWebServer(deps: WebServerDeps): http.Server {
  // koa's handler settles every request itself (errors go to ctx.onerror); its promise needs no await.
  const handle = createWebApp(deps).callback();
  const server = http.createServer(
    // Streams (MJPEG, audio, events) run for hours: no request timeout, but headers must come quickly.
    { requestTimeout: 0, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1_000 },
    (request, response) => void handle(request, response),
  );
  handleClientErrors(server, deps.logger, { port: 'web', timeoutCovers: 'request headers' });
  return server;
}
