/**
 * The web port's one place that turns errors into responses (koa's `context.onerror` is the
 * model): a StatusError becomes its status, a camera error the status for what happened to the
 * camera (not known 404, offline 503, no answer in time 504), each with a JSON
 * `{ error, ...details }`; anything else is a bug, logged, and answered 500 without details.
 * Routes keep only their happy path.
 */
import type Koa from 'koa';
import { CameraError, CameraTimeoutError, CameraUnavailableError, StatusError } from '../errors.js';
import type { Logger } from '../log.js';

export function errorResponder(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = exposedStatus(error);
      if (status !== undefined && (error instanceof StatusError || error instanceof CameraError)) {
        // A camera that did not deliver in time is worth a line; 4xx and offline are the client's news.
        if (error instanceof CameraTimeoutError)
          logger.warn({ path: ctx.path, err: error.message }, `${ctx.method} ${ctx.path}: ${error.message}`);
        ctx.status = status;
        ctx.body = { error: error.message, ...error.details };
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ path: ctx.path, err: message }, `web request ${ctx.method} ${ctx.path} failed: ${message}`);
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  };
}

/** The status an error is answered with, if its message may be shown; undefined for a bug. */
function exposedStatus(error: unknown): number | undefined {
  if (error instanceof StatusError) return error.expose ? error.status : undefined;
  if (error instanceof CameraUnavailableError) return error.reason === 'unknown' ? 404 : 503;
  if (error instanceof CameraTimeoutError) return 504;
  return undefined;
}
