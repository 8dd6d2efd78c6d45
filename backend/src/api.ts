// The /api/v1 router: which routes exist, in what order the middleware runs, and the OpenAPI
// document made from the same declarations.
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Config } from './config/index.js';
import { API_BASE } from './http/api-base.js';
import { apiReference } from './http/api-reference.js';
import { buildOpenApi, nameSchemas } from './http/openapi.js';
import { createLimiter } from './http/rate-limit.js';
import { userActionLimits } from './http/user-limits.js';
import { RouteTable } from './http/route.js';
import type { Db } from './lib/db.js';
import type { Redis } from './lib/redis.js';
import { clerkAuth } from './modules/auth/clerk.js';
import { localSignInRoutes } from './modules/auth/auth.routes.js';
import { requireUser } from './modules/auth/require-user.js';
import { planRoutes } from './modules/plans/plans.routes.js';
import { brandRoutes } from './modules/brands/brands.routes.js';
import { postRoutes } from './modules/posts/posts.routes.js';
import { usageRoutes } from './modules/usage/usage.routes.js';
import { userRoutes } from './modules/users/users.routes.js';
import { generationRoutes } from './modules/generation/generation.routes.js';
import { jobRoutes } from './modules/jobs/jobs.routes.js';
import { mediaRoutes, voiceSampleRoutes } from './modules/media/media.routes.js';
import type { WebServices } from './web-services.js';
import { billingRoutes } from './modules/billing/billing.routes.js';
import { planSchema } from './modules/plans/plans.service.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { telegramRoutes } from './modules/telegram/telegram.routes.js';
import { telegramLinkSchema } from './modules/telegram/link-status.js';
import { usageSchema } from './modules/usage/usage.service.js';

// Shared schemas declared outside the route and schema files, named for the OpenAPI document
// (the others carry `.meta({ id })` where they are declared).
nameSchemas({ Plan: planSchema, Usage: usageSchema, TelegramLink: telegramLinkSchema });
export const JSON_LIMIT = '100kb';

export interface ApiDeps {
  config: Config;
  db: Db;
  redis: Redis;
  services: WebServices;
}

export function createApi({ config, db, redis, services }: ApiDeps) {
  const { users, localKeys, jobs, hub, voices, posts, brands, webhooks, billing, bot, link } = services;
  const router = Router();
  const clerk = clerkAuth(config, localKeys);
  const signedIn = requireUser(users);
  const authenticate: RequestHandler[] = [clerk, signedIn];
  const table = new RouteTable(router, API_BASE, authenticate);

  // Webhooks first: raw bodies, no per-IP limit (see webhooks.routes.ts).
  webhookRoutes(table, { ...webhooks, telegramGate: config.telegram });

  // The per-IP limit comes first: it needs only the address, and a body that fails to parse (or
  // is too large) must still count against it.
  router.use(createLimiter({ redis, name: 'ip', limit: config.rateLimits.perIpPerMinute, by: 'ip' }));
  router.use(express.json({ limit: JSON_LIMIT, strict: true }));

  // Public.
  planRoutes(table);
  voiceSampleRoutes(table, voices);
  if (config.clerk.mode === 'local' && localKeys) {
    localSignInRoutes(table, localKeys, {
      authorizedParty: config.clerk.authorizedParties[0] ?? config.appUrl,
      apiUrl: config.apiUrl,
    });
  }
  // Per-user limits on the expensive prefixes (their routes arrive with the generation issue).
  router.use(
    '/ai',
    ...authenticate,
    createLimiter({ redis, name: 'ai', limit: config.rateLimits.aiPerUserPerMinute, by: 'user' }),
  );
  const media = createLimiter({ redis, name: 'media', limit: config.rateLimits.mediaPerUserPerMinute, by: 'user' });
  router.use(['/images', '/voice'], ...authenticate, media);
  userActionLimits(router, { redis, authenticate });

  // Signed in.
  userRoutes(table, { db, users });
  usageRoutes(table, db);
  brandRoutes(table, brands);
  postRoutes(table, posts);
  generationRoutes(table, { db, jobs });
  mediaRoutes(table, { db, jobs, voices });
  jobRoutes(table, { jobs, hub });
  billingRoutes(table, billing, db);
  telegramRoutes(table, { db, link, api: bot.api });
  // Bull Board for ADMIN_USER_IDS (modules/admin): not part of the API's document, and not
  // mounted at all without admins.
  if (services.admin) router.use('/admin', services.admin.routes(authenticate));

  // The document describes every route above, and itself.
  const docRoutes = () => table.routes;
  let document: ReturnType<typeof buildOpenApi> | undefined;
  const openapi = () =>
    (document ??= buildOpenApi(docRoutes(), {
      title: 'Postaify API',
      version: '1.0.0',
      summary: 'AI-written social posts, delivered to your own Telegram chat.',
      serverUrl: config.apiUrl,
    }));
  table.add(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'OpenAPI document',
      description:
        'This API as an OpenAPI 3.1 document, generated from the schemas that validate requests: generate a client from it (e.g. openapi-typescript).',
      tag: 'Meta',
      auth: false,
      response: z.record(z.string(), z.unknown()),
    },
    () => openapi(),
  );
  const reference = apiReference({
    basePath: `${API_BASE}/docs`,
    specUrl: `${API_BASE}/openapi.json`,
    title: 'Postaify API reference',
    apiUrl: config.apiUrl,
  });
  table.add(
    {
      method: 'get',
      path: '/docs',
      operationId: 'getDocs',
      summary: 'API reference (HTML)',
      description:
        'This reference: a page that renders the OpenAPI document in the browser. It and its scripts are served by the API; it loads nothing from any other host.',
      tag: 'Meta',
      auth: false,
      rawResponse: { mediaType: 'text/html', description: 'The reference page.' },
    },
    ({ res }) => {
      reference.page(res);
      return undefined;
    },
  );
  // The page's scripts (files, not API operations).
  router.use('/docs/assets', reference.assets);
  return { router, routes: table.routes };
}
