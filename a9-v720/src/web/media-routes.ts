/**
 * Read-only media endpoints (the only ones LAN clients may use with `lan_media`):
 * snapshot (JPEG), stream (MJPEG) and audio (A-law WAV). They write straight to the Node
 * response so frames go out as they arrive, unbuffered, also through HA ingress.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import type { CameraRegistry } from '../camera/registry.js';
import type { MediaHub } from '../media/media-hub.js';
import { streamMjpeg } from '../media/mjpeg.js';
import { streamWav } from '../media/wav-stream.js';
import type { Logger } from '../log.js';
import { cameraErrorStatus } from './api-routes.js';

export interface MediaRouteDeps {
  readonly registry: CameraRegistry;
  readonly media: MediaHub;
  readonly snapshotTimeoutMs: number;
  readonly logger: Logger;
}

export function createMediaRouter(deps: MediaRouteDeps): Router {
  const { registry, media } = deps;
  const router = new Router();

  /** 404 for an unknown camera, 503 for an offline one; true when the camera can stream. */
  const available = (ctx: Koa.Context, id: string): boolean => {
    const camera = registry.get(id);
    if (!camera) {
      ctx.status = 404;
      ctx.body = { error: `camera ${id} is not known` };
      return false;
    }
    if (!camera.online) {
      ctx.status = 503;
      ctx.body = { error: `camera ${id} is offline` };
      return false;
    }
    return true;
  };

  /**
   * Takes the response away from koa: the stream writes headers and parts straight to the
   * socket until it ends. It subscribes before writing, so a camera that went offline a
   * moment ago still gets a proper 503.
   */
  const streamTo = (ctx: Koa.Context, start: () => void): void => {
    try {
      start();
    } catch (error) {
      const mapped = cameraErrorStatus(error);
      ctx.status = mapped.status;
      ctx.body = mapped.body;
      return;
    }
    ctx.respond = false;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
  };

  router.get('/api/cameras/:id/snapshot', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!available(ctx, id)) return;
    try {
      const jpeg = await media.snapshot(id, deps.snapshotTimeoutMs);
      ctx.set('Cache-Control', 'no-cache, no-store, must-revalidate');
      ctx.type = 'image/jpeg';
      ctx.body = jpeg;
    } catch (error) {
      const mapped = cameraErrorStatus(error);
      if (mapped.status === 504) deps.logger.warn({ camera: id }, `snapshot of camera ${id} failed: ${mapped.body.error}`);
      ctx.status = mapped.status;
      ctx.body = { error: mapped.body.error, reason: mapped.status === 504 ? 'no complete frame arrived in time' : undefined };
    }
  });

  router.get('/api/cameras/:id/stream', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!available(ctx, id)) return;
    streamTo(ctx, () => streamMjpeg(ctx.res, media, id));
  });

  router.get('/api/cameras/:id/audio', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!available(ctx, id)) return;
    streamTo(ctx, () => streamWav(ctx.res, media, id));
  });

  return router;
}
