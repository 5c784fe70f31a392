/**
 * The add-on's motion detection per camera: `GET /api/cameras/:id/motion` reads settings and
 * state, `PUT` (or `POST`) with `{"enabled": true, "sensitivity": 60}` (either key) changes them.
 * Settings live in the registry; the motion monitor and MQTT follow its events.
 */
import Router, { type RouterMiddleware } from '@koa/router';
import type { CameraRegistry } from '../camera/registry.js';
import { parseMotionChange } from '../camera/motion-settings.js';
import type { Logger } from '../log.js';
import { motionViewOf } from './camera-view.js';
import { BadRequestError, readJsonBody } from './read-json-body.js';

export interface MotionRouteDeps {
  readonly registry: CameraRegistry;
  readonly logger: Logger;
}

export function createMotionRouter(deps: MotionRouteDeps): Router {
  const { registry, logger } = deps;
  const router = new Router();

  router.get('/api/cameras/:id/motion', (ctx) => {
    const camera = registry.get(ctx.params.id ?? '');
    if (!camera) {
      ctx.status = 404;
      ctx.body = { error: `camera ${ctx.params.id} is not known` };
      return;
    }
    ctx.body = motionViewOf(camera);
  });

  const change: RouterMiddleware = async (ctx) => {
    const id = ctx.params['id'] ?? '';
    if (!registry.has(id)) {
      ctx.status = 404;
      ctx.body = { error: `camera ${id} is not known` };
      return;
    }
    let body;
    try {
      body = await readJsonBody(ctx);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      ctx.status = 400;
      ctx.body = { error: error.message };
      return;
    }
    const parsed = parseMotionChange(body);
    if (!parsed.ok) {
      ctx.status = 400;
      ctx.body = { error: parsed.reason };
      return;
    }
    const camera = registry.changeMotionSettings(id, parsed.change);
    if (!camera) {
      ctx.status = 404;
      ctx.body = { error: `camera ${id} is not known` };
      return;
    }
    logger.info({ camera: id, change: parsed.change }, `camera ${id}: motion detection ${JSON.stringify(parsed.change)} (dashboard/API)`);
    ctx.body = motionViewOf(camera);
  };
  router.put('/api/cameras/:id/motion', change);
  router.post('/api/cameras/:id/motion', change);
  return router;
}
