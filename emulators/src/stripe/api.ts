// One /v1 request after authentication: the `Request-Id` and `Stripe-Version` headers, replay by
// `Idempotency-Key` (POST only, per API key, for 24 hours), the route, and Stripe's error answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import { canonical, type FormObject } from './form.js';
import { newId, StripeApiError, stripeErrorBody, STRIPE_API_VERSION } from './objects.js';
import { handleApi } from './routes.js';
import type { StripeStore } from './store.js';

const MAX_IDEMPOTENCY_KEYS = 10_000;
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

interface SavedResponse {
  route: string;
  params: string;
  status: number;
  body: unknown;
  requestId: string;
  at: number;
}

/** The answers kept for replay, by `<api key>\n<idempotency key>`. */
export type IdempotencyCache = Map<string, SavedResponse>;

export interface ApiCall {
  method: string;
  path: string;
  params: FormObject;
  apiKey: string;
  origin: string;
}

export function answerApi(
  store: StripeStore,
  idempotency: IdempotencyCache,
  req: IncomingMessage,
  res: ServerResponse,
  { method, path, params, apiKey, origin }: ApiCall,
) {
  const requestId = newId('req', 14);
  const versionHeader = req.headers['stripe-version'];
  const version = typeof versionHeader === 'string' && versionHeader !== '' ? versionHeader : STRIPE_API_VERSION;
  const headers: Record<string, string> = { 'request-id': requestId, 'stripe-version': version };
  const keyHeader = req.headers['idempotency-key'];
  // As on Stripe, only POST requests are idempotent by key; GET and DELETE are by nature.
  const key = method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : undefined;
  const route = `${method} ${path}`;
  const fingerprint = canonical(params);
  const scope = `${apiKey}\n${key}`;
  if (key !== undefined) {
    headers['idempotency-key'] = key;
    if (key.length > 255) {
      const body = stripeErrorBody(400, `Invalid idempotency_key: must be at most 255 characters (got ${key.length}).`);
      return sendJson(res, 400, body, headers);
    }
    const saved = idempotency.get(scope);
    if (saved && Date.now() - saved.at > IDEMPOTENCY_TTL_MS) idempotency.delete(scope);
    else if (saved) {
      const retry = `Try using a key other than '${key}' if you meant to execute a different request.`;
      if (saved.route !== route) {
        const message = `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${saved.route}' vs '${route}'). ${retry}`;
        return sendJson(res, 400, stripeErrorBody(400, message, { type: 'idempotency_error' }), headers);
      }
      if (saved.params !== fingerprint) {
        const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. ${retry}`;
        return sendJson(res, 400, stripeErrorBody(400, message, { type: 'idempotency_error' }), headers);
      }
      return sendJson(res, saved.status, saved.body, {
        ...headers,
        'idempotent-replayed': 'true',
        'original-request': saved.requestId,
      });
    }
  }

  let status = 200;
  let body: unknown;
  store.request = { id: requestId, idempotency_key: key ?? null };
  try {
    body = handleApi(store, { method, path, params, origin });
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    status = err.status;
    body = err.body();
  } finally {
    store.request = { id: null, idempotency_key: null };
  }
  // Stripe keeps the result once the endpoint ran; a request refused by validation (400) is not kept.
  if (key !== undefined && status !== 400) {
    idempotency.set(scope, { route, params: fingerprint, status, body, requestId, at: Date.now() });
    if (idempotency.size > MAX_IDEMPOTENCY_KEYS) idempotency.delete(idempotency.keys().next().value!);
  }
  sendJson(res, status, body, headers);
}
