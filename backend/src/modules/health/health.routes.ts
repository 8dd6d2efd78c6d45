// /health says the process is up and touches nothing; /ready asks Postgres and Redis and is 503
// while either does not answer within its deadline, so a load balancer stops routing here and
// starts again on its own once they return. From a shutdown's first moment /ready is 503 whatever
// they answer (`readyWhileStopping`), so the load balancer stops sending before the process stops
// accepting.
import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { Router } from 'express';
import { renderError } from '../../http/error-handler.js';
import type { Db } from '../../lib/db.js';
import type { Redis } from '../../lib/redis.js';

export interface ReadinessDeps {
  db: Db;
  redis: Redis;
  /** Per-dependency deadline in ms (default 1,000). */
  timeoutMs?: number;
}

type Check = 'ok' | 'down';

async function within(ms: number, probe: () => Promise<unknown>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Check>((resolve) => {
    timer = setTimeout(() => resolve('down'), ms);
  });
  try {
    return await Promise.race([
      probe().then(
        (): Check => 'ok',
        (): Check => 'down',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function checkReadiness({ db, redis, timeoutMs = 1_000 }: ReadinessDeps) {
  return async () => {
    const [postgres, redisCheck] = await Promise.all([
      within(timeoutMs, () => db.$queryRaw`SELECT 1`),
      within(timeoutMs, () => redis.ping()),
    ]);
    return { ready: postgres === 'ok' && redisCheck === 'ok', checks: { postgres, redis: redisCheck } };
  };
}

export function healthRoutes(deps: ReadinessDeps): Router {
  const ready = checkReadiness(deps);
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const { ready: ok, checks } = await ready();
    if (ok) {
      res.json({ status: 'ready', checks });
      return;
    }
    // Rendered here rather than thrown: a probe's 503 is an answer, not an error worth a log line.
    const down = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([k]) => k);
    res.status(503).json(
      renderError('SERVICE_UNAVAILABLE', `Not ready: ${down.join(' and ')} not answering.`, res.locals.requestId, {
        checks,
      }),
    );
  });
  return router;
}

/**
 * The web's request listener, with `/ready` answered here once `stopping()` is true: 503
 * SERVICE_UNAVAILABLE (`checks.shutdown: "draining"`) before the app or its checks see the request.
 */
export function readyWhileStopping(app: RequestListener, stopping: () => boolean): RequestListener {
  return (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (!stopping() || path !== '/ready' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      app(req, res);
      return;
    }
    const requestId = randomUUID();
    const body = JSON.stringify(
      renderError('SERVICE_UNAVAILABLE', 'Not ready: this process is shutting down.', requestId, {
        checks: { shutdown: 'draining' },
      }),
    );
    res.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Request-Id': requestId,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
