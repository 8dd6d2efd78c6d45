// Webhook routes: raw bodies (signatures are computed over the exact bytes), registered before
// the JSON parser and the per-IP limit (providers send bursts from few addresses; the signature is
// the gate). What can be checked from the headers is checked before the body is read, and each
// body is capped at what its sender sends (webhook-bodies.ts). Documented in the OpenAPI document
// like every other route.
import type { Request, Response } from 'express';
import type { Config } from '../../config/index.js';
import type { RouteTable } from '../../http/route.js';
import { rawBody, requireHeaders, telegramGate } from './webhook-bodies.js';

type Handler = (req: Request, res: Response) => Promise<void>;

const SVIX_HEADERS = ['svix-id', 'svix-timestamp', 'svix-signature'] as const;

export function webhookRoutes(
  table: RouteTable,
  handlers: {
    stripe: Handler;
    clerk: Handler;
    telegram: Handler;
    /** What the Telegram route checks before it reads the body. */
    telegramGate: Pick<Config['telegram'], 'updates' | 'webhookSecret'>;
  },
) {
  const common = {
    method: 'post',
    tag: 'Webhooks',
    auth: false,
    rawBody: true,
    errors: ['SERVICE_UNAVAILABLE'],
    rawResponse: {
      mediaType: 'application/json',
      description: '{ "received": true }, with "duplicate": true for a delivery applied before.',
    },
  } as const;
  table.add(
    {
      ...common,
      path: '/webhooks/stripe',
      operationId: 'stripeWebhook',
      summary: 'Stripe events',
      description:
        'Checkout, subscription and invoice events from Stripe (at most 512 kB). The `Stripe-Signature` is checked against the raw body before anything is read or written.',
      headers: [{ name: 'Stripe-Signature', description: 'Stripe webhook signature.', required: true }],
      before: [requireHeaders(['stripe-signature'], 'the Stripe-Signature header'), rawBody('stripe')],
      errors: [...common.errors, 'PAYLOAD_TOO_LARGE'],
    },
    async ({ req, res }) => {
      await handlers.stripe(req, res);
      return undefined;
    },
  );
  table.add(
    {
      ...common,
      path: '/webhooks/clerk',
      operationId: 'clerkWebhook',
      summary: 'Clerk events',
      description:
        '`user.created`, `user.updated` and `user.deleted` from Clerk (at most 128 kB). The svix signature is checked against the raw body before anything is read or written.',
      headers: SVIX_HEADERS.map((name) => ({
        name,
        description: `${name} header of svix.`,
        required: true,
      })),
      before: [requireHeaders(SVIX_HEADERS, 'the svix signature headers'), rawBody('clerk')],
      errors: [...common.errors, 'PAYLOAD_TOO_LARGE'],
    },
    async ({ req, res }) => {
      await handlers.clerk(req, res);
      return undefined;
    },
  );
  table.add(
    {
      ...common,
      path: '/webhooks/telegram',
      operationId: 'telegramWebhook',
      summary: 'Telegram bot updates',
      description:
        'Updates for the bot, when `TELEGRAM_UPDATES=webhook` (404 while the process long-polls instead), at most 256 kB. A wrong or missing secret header is 401, before the body is read.',
      headers: [
        {
          name: 'X-Telegram-Bot-Api-Secret-Token',
          description: 'TELEGRAM_WEBHOOK_SECRET, as given to setWebhook.',
          required: true,
        },
      ],
      // The secret is checked before a byte of the body is read.
      before: [telegramGate(handlers.telegramGate), rawBody('telegram')],
      errors: ['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE', 'PAYLOAD_TOO_LARGE'],
    },
    async ({ req, res }) => {
      await handlers.telegram(req, res);
      return undefined;
    },
  );
}
