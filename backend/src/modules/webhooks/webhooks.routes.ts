// Webhook routes: raw bodies (signatures are computed over the exact bytes), registered before
// the JSON parser and the per-IP limit (providers send bursts from few addresses; the signature is
// the gate). Documented in the OpenAPI document like every other route.
import express, { type Request, type Response } from 'express';
import type { RouteTable } from '../../http/route.js';

type Handler = (req: Request, res: Response) => Promise<void>;

const RAW_LIMIT = '1mb';

export function webhookRoutes(table: RouteTable, handlers: { stripe: Handler; clerk: Handler; telegram: Handler }) {
  const raw = express.raw({ type: () => true, limit: RAW_LIMIT });
  const common = {
    method: 'post',
    tag: 'Webhooks',
    auth: false,
    before: [raw],
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
        'Checkout, subscription and invoice events from Stripe. The `Stripe-Signature` is checked against the raw body before anything is read or written.',
      headers: [{ name: 'Stripe-Signature', description: 'Stripe webhook signature.', required: true }],
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
        '`user.created`, `user.updated` and `user.deleted` from Clerk. The svix signature is checked against the raw body before anything is read or written.',
      headers: ['svix-id', 'svix-timestamp', 'svix-signature'].map((name) => ({
        name,
        description: `${name} header of svix.`,
        required: true,
      })),
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
        'Updates for the bot, when `TELEGRAM_UPDATES=webhook` (404 while the process long-polls instead). A wrong or missing secret header is 401.',
      headers: [
        {
          name: 'X-Telegram-Bot-Api-Secret-Token',
          description: 'TELEGRAM_WEBHOOK_SECRET, as given to setWebhook.',
          required: true,
        },
      ],
      errors: ['UNAUTHORIZED', 'NOT_FOUND', 'SERVICE_UNAVAILABLE'],
    },
    async ({ req, res }) => {
      await handlers.telegram(req, res);
      return undefined;
    },
  );
}
