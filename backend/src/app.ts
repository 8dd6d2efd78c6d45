// The Express application: middleware order and route mounting only. Every dependency comes in
// through `AppDeps`, built once by the web composition root (main.ts) or by a test.
import compression from 'compression';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { createApi } from './api.js';
import { API_BASE } from './http/api-base.js';
import type { Config } from './config/index.js';
import { accessLog } from './http/access-log.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { requestId } from './http/request-id.js';
import type { Db } from './lib/db.js';
import type { Logger } from './lib/logger.js';
import type { Redis } from './lib/redis.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { homeRoutes } from './modules/health/home.routes.js';
import { metricsRoutes } from './modules/health/metrics.routes.js';
import { mediaRoot } from './integrations/storage.js';
import type { WebServices } from './web-services.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  services: WebServices;
}

export function createApp({ config, logger, db, redis, services }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('json replacer', (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

  app.use(services.metrics.observeRequests);
  app.use(requestId());
  app.use(accessLog(logger));
  app.use(helmet());
  app.use(
    cors({
      origin: [config.appUrl],
      credentials: true,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      // The web app sends a bearer token on every call, so each one needs a preflight; without a
      // max age the browser asks again every few seconds (Chromium's default is 5 s).
      maxAge: 600,
    }),
  );
  app.use(compression());

  app.use(healthRoutes({ db, redis }));
  app.use(metricsRoutes({ register: services.metrics.register, token: config.metricsToken }));
  app.use(homeRoutes({ appUrl: config.appUrl }));

  // Webhooks (mounted by their issues) need the raw body, so JSON parsing happens inside the API
  // router, not here.
  // API answers are about one user (and carry tokens and ids): no shared cache or browser history
  // may keep them. The routes that cache on purpose set their own header over this one (the voice
  // samples, the reference's immutable assets, the reference page's no-cache).
  app.use(API_BASE, (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(API_BASE, createApi({ config, db, redis, services }).router);

  // Locally stored media (no S3 configured). Keys are random, so the folder cannot be listed.
  // The web app (APP_URL, another origin) shows them in <img> and <audio>: these files alone
  // answer `Cross-Origin-Resource-Policy: cross-origin` instead of helmet's same-origin, as a
  // public bucket's would.
  if (config.storage.mode === 'local') {
    app.use(
      '/media',
      express.static(mediaRoot(config), {
        immutable: true,
        maxAge: '365d',
        index: false,
        dotfiles: 'deny',
        fallthrough: true,
        setHeaders: (res) => res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin'),
      }),
    );
  }

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
