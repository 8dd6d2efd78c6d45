// GET /metrics: Prometheus text. With METRICS_TOKEN set, a scrape must carry
// `Authorization: Bearer <token>`; without it the endpoint is open, which only a local or test
// process can be: production refuses to start without the token (config/production.ts).
import { Router, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { AppError } from '../../lib/errors.js';
import { sameSecret } from '../../lib/secrets.js';

export interface MetricsRouteDeps {
  register: Registry;
  token?: string;
}

function requireBearer(token: string): RequestHandler {
  return (req, res, next) => {
    const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.get('authorization') ?? '')?.[1];
    if (sameSecret(given, token)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="metrics"');
    next(new AppError('UNAUTHORIZED', 'A valid metrics token is required.'));
  };
}

export function metricsRoutes({ register, token }: MetricsRouteDeps): Router {
  const router = Router();
  const guard: RequestHandler[] = token ? [requireBearer(token)] : [];
  router.get('/metrics', ...guard, async (_req, res) => {
    const body = await register.metrics();
    res.type(register.contentType).send(body);
  });
  return router;
}
