/**
 * Read-only media endpoints (the only ones LAN clients may use with `lan_media`):
 * snapshot (JPEG), stream (MJPEG) and audio (WAV, A-law or PCM as the camera sends it). They
 * write straight to the Node response so frames go out as they arrive, unbuffered, also through
 * HA ingress.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { CameraRegistry } from '../camera/registry.js';
import type { MediaHub } from '../media/media-hub.js';
import { streamMjpeg } from '../media/mjpeg.js';
import { streamWav } from '../media/wav-stream.js';
import type { Logger } from '../log.js';
import { CameraUnavailableError } from '../errors.js';

export interface MediaRouteDeps {
  readonly registry: CameraRegistry;
  readonly media: MediaHub;
  readonly snapshotTimeoutMs: number;
  readonly logger: Logger;
}

export function createMediaRouter(deps: MediaRouteDeps): Router {
  const { registry, media } = deps;
  const router = new Router();

  /** Throws for an unknown camera (404) or an offline one (503). */
  const requireOnline = (id: string): void => {
    const camera = registry.get(id);
    if (!camera) throw new CameraUnavailableError(id, 'unknown');
    if (!camera.online) throw new CameraUnavailableError(id, 'offline');
  };

  /**
   * Takes the response away from koa: the stream writes headers and parts straight to the
   * socket until it ends. It subscribes before writing, so a camera that went offline a
   * moment ago still gets a proper 503 (thrown before anything is written).
   */
  const streamTo = (ctx: Koa.Context, start: () => void): void => {
    start();
    ctx.respond = false;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
  };

  router.get('/api/cameras/:id/snapshot', async (ctx) => {
    const id = ctx.params.id ?? '';
    requireOnline(id);
    const jpeg = await media.snapshot(id, deps.snapshotTimeoutMs);
    ctx.set('Cache-Control', 'no-cache, no-store, must-revalidate');
    ctx.type = 'image/jpeg';
    ctx.body = jpeg;
  });

  router.get('/api/cameras/:id/stream', (ctx) => {
    const id = ctx.params.id ?? '';
    requireOnline(id);
    streamTo(ctx, () => streamMjpeg(ctx.res, media, id));
  });

  router.get('/api/cameras/:id/audio', (ctx) => {
    const id = ctx.params.id ?? '';
    requireOnline(id);
    streamTo(ctx, () => streamWav(ctx.res, media, id));
  });

  return router;
}
