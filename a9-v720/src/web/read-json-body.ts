import type Koa from 'koa';
import { BadRequestError, StatusError } from '../errors.js';
import { isObject, type JsonObject } from '../protocol/json.js';

/** The body did not arrive in time (a slow or stalled client): answered 408, connection closed. */
export class BodyTimeoutError extends StatusError {
  override readonly name = 'BodyTimeoutError';
  readonly status = 408;
}

/**
 * Reads a small JSON object body; the control API never needs more than a few bytes. The web
 * server has no request timeout (streams run for hours), so the body read has its own: a
 * client that sends headers and then trickles or stalls is cut after `timeoutMs`.
 */
export async function readJsonBody(ctx: Koa.Context, limit = 4096, timeoutMs = 5000): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    let size = 0;
    const request = ctx.req;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.pause();
        ctx.set('Connection', 'close');
        finish(new BadRequestError(`request body larger than ${limit} bytes`));
      } else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (error: Error): void => finish(new BadRequestError(`request body could not be read: ${error.message}`));
    const timer = setTimeout(() => {
      request.pause();
      ctx.set('Connection', 'close');
      finish(new BodyTimeoutError(`request body not received within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new BadRequestError('request body is not JSON');
  }
  if (!isObject(value)) throw new BadRequestError('request body must be a JSON object');
  return value;
}
