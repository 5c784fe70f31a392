/**
 * `POST /api/pairing-helper`: the panel's "Add a camera" dialog sends the home Wi-Fi name and
 * password and gets back src/pairing/a9-pair.py with them filled in, as a file download. The
 * body is bounded (readJsonBody) and checked; nothing is stored, and the password is never logged.
 */
import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import { BadRequestError } from '../errors.js';
import type { Logger } from '../log.js';
import { fillPairingHelper, parsePairingRequest } from './pairing-helper-file.js';
import { readJsonBody } from './read-json-body.js';

/** Works from src/ (tsx) and from dist/ (tools/copy-assets.mjs copies src/pairing/ to dist/pairing/). */
export const PAIRING_HELPER_FILE = new URL('../pairing/a9-pair.py', import.meta.url);

/** A name, a password and JSON punctuation: far below this. */
const BODY_LIMIT = 1024;

/** Reads the helper once and checks that it can be filled in, so a broken build fails at start. */
export function loadPairingHelperTemplate(file: URL = PAIRING_HELPER_FILE): string {
  const template = readFileSync(file, 'utf8');
  fillPairingHelper(template, { ssid: 'check', password: 'check-check' });
  return template;
}

export function createPairingRouter(deps: { readonly template: string; readonly logger: Logger }): Router {
  const router = new Router();
  router.post('/api/pairing-helper', async (ctx) => {
    const parsed = parsePairingRequest(await readJsonBody(ctx, BODY_LIMIT));
    if (!parsed.ok) throw new BadRequestError(parsed.reason);
    deps.logger.info({ ssid: parsed.value.ssid }, `pairing helper downloaded for the Wi-Fi network ${JSON.stringify(parsed.value.ssid)}`);
    ctx.set('Content-Disposition', 'attachment; filename="a9-pair.py"');
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'text/x-python; charset=utf-8';
    ctx.body = fillPairingHelper(deps.template, parsed.value);
  });
  return router;
}
