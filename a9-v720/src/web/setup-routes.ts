/**
 * The setup diagnosis for the panel's Setup view: `GET /api/setup` answers it as of now,
 * `POST /api/setup` asks DNS again first (the monitor runs DNS at most once per its minimum
 * interval, whoever asks how often) and answers the same shape.
 */
import Router from '@koa/router';
import type { SetupReport } from '../camera/setup/diagnosis.js';

/** What the routes need of the setup monitor. */
export interface SetupSource {
  report(): SetupReport;
  refresh(): Promise<{ report: SetupReport; refreshed: boolean }>;
}

/** The API's answer: the report, and for POST whether DNS was asked again. */
export type SetupAnswer = SetupReport & { readonly refreshed?: boolean };

export function createSetupRouter(setup: SetupSource): Router {
  const router = new Router();
  router.get('/api/setup', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const answer: SetupAnswer = setup.report();
    ctx.body = answer;
  });
  router.post('/api/setup', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const { report, refreshed } = await setup.refresh();
    const answer: SetupAnswer = { ...report, refreshed };
    ctx.body = answer;
  });
  return router;
}
