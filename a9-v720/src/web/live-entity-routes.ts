/**
 * The panel's "Show live in Home Assistant": `GET /api/cameras/:id/live-entity` says whether the
 * camera's MJPEG IP Camera entry exists in HA, was deleted there, is being made, or cannot be
 * (not under the Supervisor, no Core API); `POST` makes it now, also one the user deleted. The
 * work is done by the HA side (ha/live-entities.ts), handed in by app.ts as `LiveEntityControl`,
 * so this layer does not import ha/.
 */
import Router from '@koa/router';
import type { CameraRegistry } from '../camera/registry.js';
import { CameraUnavailableError, StatusError } from '../errors.js';
import type { Logger } from '../log.js';

/** Mirrors ha/live-entities.ts's view (checked where app.ts hands one to the other). */
export interface LiveEntityView {
  readonly state: 'created' | 'deleted' | 'external' | 'pending' | 'off' | 'unavailable';
  readonly reason?: 'not-supervised' | 'no-core-api' | 'starting';
  readonly entryId?: string;
  readonly problem?: string;
}

export interface LiveEntityControl {
  view(id: string): LiveEntityView;
  /** Makes the entry now; resolves once HA answered (or failed). */
  create(id: string): Promise<LiveEntityView>;
}

/** Outside the Supervisor there is no HA Core to ask. */
export const NOT_SUPERVISED: LiveEntityControl = {
  view: () => ({ state: 'unavailable', reason: 'not-supervised' }),
  create: () => Promise.resolve({ state: 'unavailable', reason: 'not-supervised' }),
};

class LiveEntityError extends StatusError {
  override readonly name = 'LiveEntityError';
  constructor(
    readonly status: 409 | 502 | 503,
    message: string,
    view?: LiveEntityView,
  ) {
    super(message, view ? { liveEntity: view.state, ...(view.reason ? { reason: view.reason } : {}) } : undefined);
  }
}

const UNAVAILABLE: Record<NonNullable<LiveEntityView['reason']>, string> = {
  'not-supervised': 'live entities need Home Assistant: the add-on is not running under the Supervisor',
  'no-core-api': "the add-on may not use Home Assistant Core's API (homeassistant_api is not granted)",
  starting: 'the add-on is still asking the Supervisor for its hostname; try again in a moment',
};

export interface LiveEntityRouteDeps {
  readonly registry: CameraRegistry;
  readonly control: LiveEntityControl;
  readonly logger: Logger;
}

export function createLiveEntityRouter(deps: LiveEntityRouteDeps): Router {
  const { registry, control, logger } = deps;
  const router = new Router();

  router.get('/api/cameras/:id/live-entity', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!registry.has(id)) throw new CameraUnavailableError(id, 'unknown');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = control.view(id);
  });

  router.post('/api/cameras/:id/live-entity', async (ctx) => {
    const id = ctx.params.id ?? '';
    const camera = registry.get(id);
    if (!camera) throw new CameraUnavailableError(id, 'unknown');
    if (!camera.registered) throw new LiveEntityError(409, `camera ${id} has not been online yet: it gets its live entry once it has`);
    logger.info({ camera: id }, `live camera entry asked for in the dashboard`);
    const view = await control.create(id);
    if (view.state === 'unavailable') throw new LiveEntityError(503, UNAVAILABLE[view.reason ?? 'not-supervised'], view);
    if (view.state === 'pending' && registry.get(id)?.online !== true) {
      // HA opens the stream before it adds the camera: done when the camera is back.
      ctx.status = 202;
      ctx.body = { ...view, message: `camera ${id} is offline: its live entry is made as soon as it is online again` };
      return;
    }
    if (view.state !== 'created' && view.state !== 'external') {
      throw new LiveEntityError(502, view.problem ?? 'Home Assistant did not make the entry; the add-on tries again in a minute', view);
    }
    ctx.body = view;
  });
  return router;
}
