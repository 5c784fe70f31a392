import type Koa from 'koa';
import { BadRequestError } from '../errors.js';
import { isObject, type JsonObject } from '../protocol/json.js';

/** Reads a small JSON object body; the control API never needs more than a few bytes. */
export async function readJsonBody(ctx: Koa.Context, limit = 4096): Promise<JsonObject> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BadRequestError(`request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
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
