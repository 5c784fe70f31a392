/**
 * The dashboard's JSON API: camera list and detail, server-sent events, settings,
 * restart and forget. Each handler does one thing; camera access goes through the
 * registry (state) and CameraControl (commands).
 */
import Router from '@koa/router';
import type { PassThrough } from 'node:stream';
import { PassThrough as PassThroughStream } from 'node:stream';
import { CameraTimeoutError, CameraUnavailableError, type CameraControl } from '../camera/control.js';
import type { CameraRegistry } from '../camera/registry.js';
import type { Logger } from '../log.js';
import { toCameraView } from './camera-view.js';
import { BadRequestError, readJsonBody } from './read-json-body.js';
import { parseSettingRequest } from './settings-request.js';

export interface ApiDeps {
  readonly registry: CameraRegistry;
  readonly control: CameraControl;
  readonly logger: Logger;
  readonly version: string;
  /** Where LAN devices reach the media URLs (shown in the dashboard). */
  readonly lan: { readonly host: string; readonly webPort: () => number; readonly lanMedia: boolean };
  /** How often the event stream re-sends the list even without changes (keeps "last seen" fresh). */
  readonly eventRefreshMs?: number;
}

/** Maps camera errors to HTTP statuses with a JSON reason. */
export function cameraErrorStatus(error: unknown): { status: number; body: { error: string } } {
  if (error instanceof CameraUnavailableError) return { status: error.reason === 'unknown' ? 404 : 503, body: { error: error.message } };
  if (error instanceof CameraTimeoutError) return { status: 504, body: { error: error.message } };
  if (error instanceof BadRequestError) return { status: 400, body: { error: error.message } };
  throw error;
}

export function createApiRouter(deps: ApiDeps): Router {
  const { registry, control, logger } = deps;
  const router = new Router();
  const listJson = (): string => JSON.stringify(registry.list().map(toCameraView));

  router.get('/api/info', (ctx) => {
    ctx.body = {
      name: 'A9 V720 cameras',
      version: deps.version,
      cameras: registry.size,
      online: registry.onlineCount,
      lanHost: deps.lan.host,
      webPort: deps.lan.webPort(),
      lanMedia: deps.lan.lanMedia,
    };
  });

  router.get('/api/cameras', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = listJson();
  });

  router.get('/api/cameras/:id', (ctx) => {
    const camera = registry.get(ctx.params.id ?? '');
    if (!camera) {
      ctx.status = 404;
      ctx.body = { error: `camera ${ctx.params.id} is not known` };
      return;
    }
    ctx.body = toCameraView(camera);
  });

  router.delete('/api/cameras/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!registry.remove(id)) {
      ctx.status = 404;
      ctx.body = { error: `camera ${id} is not known` };
      return;
    }
    logger.info({ camera: id }, `camera ${id} forgotten by the user`);
    ctx.status = 204;
  });

  router.post('/api/cameras/:id/settings', async (ctx) => {
    const id = ctx.params.id ?? '';
    try {
      const parsed = parseSettingRequest(await readJsonBody(ctx));
      if (!parsed.ok) {
        ctx.status = 400;
        ctx.body = { error: parsed.reason };
        return;
      }
      await control.sendSetting(id, parsed.command);
      const camera = registry.get(id);
      ctx.body = { ok: true, camera: camera ? toCameraView(camera) : undefined };
    } catch (error) {
      const mapped = cameraErrorStatus(error);
      ctx.status = mapped.status;
      ctx.body = mapped.body;
    }
  });

  router.post('/api/cameras/:id/restart', async (ctx) => {
    try {
      await control.sendSetting(ctx.params.id ?? '', { code: 299, reboot: 1 });
      ctx.body = { ok: true };
    } catch (error) {
      const mapped = cameraErrorStatus(error);
      ctx.status = mapped.status;
      ctx.body = mapped.body;
    }
  });

  router.get('/api/events', (ctx) => {
    const stream: PassThrough = new PassThroughStream();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set({ 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.type = 'text/event-stream';
    ctx.status = 200;
    ctx.body = stream;
    let pending: NodeJS.Timeout | undefined;
    const send = (): void => {
      pending = undefined;
      // A slow reader gets the latest list next time instead of an ever-growing buffer.
      if (stream.writableLength > 256 * 1024) return;
      stream.write(`event: cameras\ndata: ${listJson()}\n\n`);
    };
    // Bursts of registry events (many cameras at once) become one message.
    const schedule = (): void => {
      pending ??= setTimeout(send, 100);
    };
    const events = ['online', 'offline', 'updated', 'removed'] as const;
    for (const event of events) registry.on(event, schedule);
    const refresh = setInterval(send, deps.eventRefreshMs ?? 5000);
    send();
    const cleanup = (): void => {
      for (const event of events) registry.off(event, schedule);
      clearInterval(refresh);
      if (pending) clearTimeout(pending);
      stream.end();
    };
    ctx.req.on('close', cleanup);
    stream.on('error', cleanup);
  });

  return router;
}
