/**
 * The dashboard's JSON API: camera list and detail, server-sent events, the cached latest
 * frame, names, settings, restart and forget. Each handler does one thing; camera access goes through the
 * registry (state) and CameraControl (commands).
 */
import Router from '@koa/router';
import type { PassThrough } from 'node:stream';
import { PassThrough as PassThroughStream } from 'node:stream';
import type { CameraControl } from '../camera/control.js';
import { BadRequestError, CameraUnavailableError } from '../errors.js';
import { CAMERA_CHANGE_EVENTS, type CameraRecord, type CameraRegistry } from '../camera/registry.js';
import type { Logger } from '../log.js';
import { parseCameraName } from '../camera/camera-name.js';
import { toCameraView, type CameraView, type FrameCache } from './camera-view.js';
import { readJsonBody } from './read-json-body.js';
import { parseSettingRequest } from './settings-request.js';
import { REBOOT_CODE, SETTING_SPECS } from '../protocol/settings.js';
import type { Unsubscribe } from '../util/listeners.js';

/** The latest frames and news of each new one (the media hub). */
export interface LatestFrames extends FrameCache {
  on(event: 'frame', listener: (cameraId: string, seq: number) => void): Unsubscribe;
}

export interface ApiDeps {
  readonly registry: CameraRegistry;
  readonly control: CameraControl;
  /** The media hub's latest-frame cache: tiles show it without opening a stream. */
  readonly frames: LatestFrames;
  readonly logger: Logger;
  readonly version: string;
  /** Where LAN devices reach the media URLs (shown in the dashboard). */
  readonly lan: {
    readonly host: string;
    readonly webPort: () => number;
    readonly lanMedia: boolean;
    /** The per-install key LAN media URLs carry (see media-key.ts). */
    readonly mediaKey: string;
  };
  /** How often the event stream re-sends the list even without changes (keeps "last seen" fresh). */
  readonly eventRefreshMs?: number;
  /**
   * New frames reach the event stream at most this often (tiles of watched cameras follow them;
   * a list per frame of every streaming camera would be far more than a tile needs).
   */
  readonly frameUpdateMs?: number;
}

function unknownCamera(id: string): never {
  throw new CameraUnavailableError(id, 'unknown');
}

export function createApiRouter(deps: ApiDeps): Router {
  const { registry, control, frames, logger } = deps;
  const router = new Router();
  /** The media URLs other devices use, key included, ready to paste (absent with lan_media off). */
  const lanUrls = (id: string): CameraView['urls'] => {
    if (!deps.lan.lanMedia) return undefined;
    const host = deps.lan.host.includes(':') ? `[${deps.lan.host}]` : deps.lan.host;
    const url = (kind: string): string =>
      `http://${host}:${deps.lan.webPort()}/api/cameras/${encodeURIComponent(id)}/${kind}?key=${deps.lan.mediaKey}`;
    return { snapshot: url('snapshot'), stream: url('stream'), audio: url('audio') };
  };
  const view = (camera: CameraRecord): CameraView => ({ ...toCameraView(camera, frames), urls: lanUrls(camera.id) });
  const listJson = (): string => JSON.stringify(registry.list().map(view));

  router.get('/api/info', (ctx) => {
    ctx.body = {
      name: 'A9 / V720 Cameras',
      version: deps.version,
      cameras: registry.size,
      online: registry.onlineCount,
      lanHost: deps.lan.host,
      webPort: deps.lan.webPort(),
      lanMedia: deps.lan.lanMedia,
      // Only loopback and ingress reach the API, so handing the key to the dashboard is fine.
      mediaKey: deps.lan.lanMedia ? deps.lan.mediaKey : undefined,
    };
  });

  // The settings table, so the dashboard builds its controls from the same rows as HA and the API.
  router.get('/api/settings', (ctx) => {
    ctx.body = { settings: SETTING_SPECS };
  });

  router.get('/api/cameras', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = listJson();
  });

  /** The camera of the route's `:id`; an unknown one is a 404. */
  const known = (id: string): CameraRecord => registry.get(id) ?? unknownCamera(id);

  router.get('/api/cameras/:id', (ctx) => {
    ctx.body = view(known(ctx.params.id ?? ''));
  });

  /**
   * The latest frame the add-on already holds, for the dashboard's tiles: never opens a stream
   * (that costs the camera's battery and airtime). 204 when there is none yet.
   */
  router.get('/api/cameras/:id/frame', (ctx) => {
    const id = known(ctx.params.id ?? '').id;
    ctx.set('Cache-Control', 'no-store');
    const latest = frames.latestFrame(id);
    if (!latest) {
      ctx.status = 204;
      return;
    }
    ctx.set('X-Frame-Seq', String(latest.seq));
    ctx.set('X-Frame-At', new Date(latest.at).toISOString());
    ctx.type = 'image/jpeg';
    ctx.body = latest.jpeg;
  });

  /** `{"name": "Garden"}` names the camera; `""` or `null` clears the name. */
  router.put('/api/cameras/:id/name', async (ctx) => {
    const id = ctx.params.id ?? '';
    const body = await readJsonBody(ctx);
    if (!('name' in body)) throw new BadRequestError('send {"name": "…"} (an empty name or null clears it)');
    const parsed = parseCameraName(body['name']);
    if (!parsed.ok) throw new BadRequestError(parsed.reason);
    const before = registry.get(id)?.name;
    const camera = registry.rename(id, parsed.name) ?? unknownCamera(id);
    if (before !== camera.name) {
      logger.info(
        { camera: id, name: camera.name },
        camera.name === undefined
          ? `no longer named (was "${before}")`
          : `renamed to "${camera.name}"${before === undefined ? '' : ` (was "${before}")`}`,
      );
    }
    ctx.body = { ok: true, camera: view(camera) };
  });

  router.delete('/api/cameras/:id', (ctx) => {
    const id = ctx.params.id ?? '';
    if (!registry.remove(id)) unknownCamera(id);
    logger.info({ camera: id }, 'forgotten by the user');
    ctx.status = 204;
  });

  router.post('/api/cameras/:id/settings', async (ctx) => {
    const id = ctx.params.id ?? '';
    const parsed = parseSettingRequest(await readJsonBody(ctx));
    if (!parsed.ok) throw new BadRequestError(parsed.reason);
    await control.sendSetting(id, parsed.command);
    const camera = registry.get(id);
    ctx.body = { ok: true, camera: camera ? view(camera) : undefined };
  });

  router.post('/api/cameras/:id/restart', async (ctx) => {
    await control.sendSetting(ctx.params.id ?? '', { code: REBOOT_CODE, reboot: 1 });
    ctx.body = { ok: true };
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
    // New frames are throttled: the first one starts a wait, the list then carries the latest of all.
    let framesDue: NodeJS.Timeout | undefined;
    const frameArrived = (): void => {
      framesDue ??= setTimeout(() => {
        framesDue = undefined;
        schedule();
      }, deps.frameUpdateMs ?? 2000);
    };
    const unsubscribes = [registry.onEach([...CAMERA_CHANGE_EVENTS, 'removed'], schedule), frames.on('frame', frameArrived)];
    const refresh = setInterval(send, deps.eventRefreshMs ?? 5000);
    send();
    const cleanup = (): void => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      clearInterval(refresh);
      clearTimeout(framesDue);
      clearTimeout(pending);
      stream.end();
    };
    ctx.req.on('close', cleanup);
    stream.on('error', cleanup);
  });

  return router;
}
