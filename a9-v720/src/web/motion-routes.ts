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
import { BadRequestError, CameraUnavailableError } from '../errors.js';
import { readJsonBody } from './read-json-body.js';

export interface MotionRouteDeps {
  readonly registry: CameraRegistry;
  readonly logger: Logger;
}

export function createMotionRouter(deps: MotionRouteDeps): Router {
  const { registry, logger } = deps;
  const router = new Router();

  const unknown = (id: string): never => {
    throw new CameraUnavailableError(id, 'unknown');
  };

  router.get('/api/cameras/:id/motion', (ctx) => {
    const id = ctx.params.id ?? '';
    ctx.body = motionViewOf(registry.get(id) ?? unknown(id));
  });

  const change: RouterMiddleware = async (ctx) => {
    const id = ctx.params['id'] ?? '';
    if (!registry.has(id)) unknown(id);
    const parsed = parseMotionChange(await readJsonBody(ctx));
    if (!parsed.ok) throw new BadRequestError(parsed.reason);
    const camera = registry.changeMotionSettings(id, parsed.change) ?? unknown(id);
    logger.info({ camera: id, change: parsed.change }, `motion detection ${JSON.stringify(parsed.change)} (dashboard/API)`);
    ctx.body = motionViewOf(camera);
  };
  router.put('/api/cameras/:id/motion', change);
  router.post('/api/cameras/:id/motion', change);
  return router;
}
