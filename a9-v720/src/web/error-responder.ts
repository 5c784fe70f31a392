/**
 * The web port's one place that turns errors into responses (koa's `context.onerror` is the
 * model): a StatusError becomes its status and a JSON `{ error, ...details }`; anything else is
 * a bug, logged, and answered 500 without details. Routes keep only their happy path.
 */
import type Koa from 'koa';
import { StatusError } from '../errors.js';
import type { Logger } from '../log.js';

export function errorResponder(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof StatusError && error.expose) {
        // A camera that did not deliver in time is worth a line; 4xx and offline are the client's news.
        if (error.status === 504) logger.warn({ path: ctx.path, err: error.message }, `${ctx.method} ${ctx.path}: ${error.message}`);
        ctx.status = error.status;
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
