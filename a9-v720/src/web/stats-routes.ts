/** `GET /api/stats`: counters for diagnosis and benchmarks (frames, drops, latency, memory). */
import Router from '@koa/router';

export function createStatsRouter(collect: () => unknown): Router {
  const router = new Router();
  router.get('/api/stats', (ctx) => {
    ctx.body = collect();
  });
  return router;
}
