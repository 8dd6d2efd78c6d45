// The Stripe emulator's HTTP server: the same plumbing as ../http.ts (recording without secrets,
// the fault queue, the /__control API) around Stripe's own wire rules, which that module's JSON
// bodies do not fit: form-encoded parameters, `Authorization: Bearer sk_…`, `Idempotency-Key`
// replay, `Request-Id` / `Stripe-Version` headers and Stripe's error shape. The hosted pages
// (/checkout, /portal) need no key; /v1 does.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FaultQueue, type FaultSpec } from '../faults.js';
import {
  answerFaultStatus,
  credential,
  listen,
  readBody,
  recordRequest,
  sendBytes,
  sendJson,
  startFault,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
} from '../http.js';
import { stateFile } from '../persist.js';
import { answerApi, type IdempotencyCache } from './api.js';
import { control, type ControlTarget } from './control.js';
import { parseForm, type FormObject } from './form.js';
import { newId, StripeApiError, stripeErrorBody } from './objects.js';
import { handlePage } from './routes.js';
import { StripeStore, type StripeStoreSnapshot } from './store.js';
import { STRIPE_DEFAULT_PRICES, type StripePriceOption } from './store/prices.js';
import { WebhookSender, type DeliveryRecord } from './webhooks.js';

/** The signing secret when none is given: set STRIPE_WEBHOOK_SECRET to it for the local stack. */
export const STRIPE_EMULATOR_WEBHOOK_SECRET = 'whsec_postaify_local_stripe_emulator';

export interface StripeEmulatorOptions extends EmulatorOptions {
  /** Where events are POSTed (the product's /api/v1/webhooks/stripe); unset: events are only stored. */
  webhookUrl?: string;
  /** The endpoint's signing secret; default STRIPE_EMULATOR_WEBHOOK_SECRET. */
  webhookSecret?: string;
  /** The prices the emulator starts with; default STRIPE_DEFAULT_PRICES (price_pro_local, price_business_local). */
  prices?: readonly StripePriceOption[];
  /** Only this secret key is accepted; by default any key that starts with sk_ or rk_. */
  apiKey?: string;
  /** Attempts per webhook delivery (default 4). */
  webhookAttempts?: number;
  /** Delay before the first retry, doubling after each (default 250 ms). */
  webhookRetryDelayMs?: number;
  /** Per-attempt timeout of a webhook delivery (default 5000 ms). */
  webhookTimeoutMs?: number;
  /**
   * Keep the state (customers, sessions, subscriptions, invoices, events) in this JSON file:
   * loaded at start, written shortly after each request and on close. Unset: memory only.
   */
  stateFile?: string;
}

export interface StripeEmulator extends Emulator {
  /** The state: prices, customers, sessions, subscriptions, invoices, events (in-process tests). */
  store: StripeStore;
  /** Webhook deliveries, newest last (what GET /__control/deliveries answers). */
  deliveries: DeliveryRecord[];
  readonly webhookUrl: string | null;
  readonly webhookSecret: string;
  /** Like POST /__control/webhook: null stops sending; the secret is kept unless given. */
  setWebhook(url: string | null, secret?: string): void;
  /** Resolves once every queued webhook has been delivered or has failed; returns the deliveries. */
  flush(): Promise<DeliveryRecord[]>;
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'stripe-signature']);
const MAX_BODY_BYTES = 1024 * 1024;
/** What a `malformed` fault answers: JSON cut off inside an id. */
const MALFORMED = { contentType: 'application/json', body: '{"id": "cus_' };

interface Internals extends ControlTarget {
  emulator: StripeEmulator;
  options: StripeEmulatorOptions;
  idempotency: IdempotencyCache;
}

const redact = (key: string) => `${key.slice(0, key.indexOf('_', 3) + 1 || 3)}****${key.slice(-4)}`;

/** The secret key from `Bearer sk_…` (or Basic auth with the key as user name), or the 401 message. */
function authenticate(req: IncomingMessage, expected: string | undefined): { key: string } | { denied: string } {
  const header = req.headers.authorization;
  let key = credential(header, 'Bearer');
  const basic = key === undefined ? credential(header, 'Basic') : undefined;
  if (basic !== undefined) key = Buffer.from(basic, 'base64').toString('utf8').split(':')[0] || undefined;
  if (key === undefined) {
    return {
      denied:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    };
  }
  const valid = expected === undefined ? /^(sk|rk)_\S+$/.test(key) : key === expected;
  return valid ? { key } : { denied: `Invalid API Key provided: ${redact(key)}` };
}

function sendHtml(res: ServerResponse, status: number, html: string) {
  sendBytes(res, status, 'text/html; charset=utf-8', html);
}

/** Applies queued faults; true when the fault answered (or swallowed) the request. */
async function applyFaults(faults: FaultQueue, url: URL, res: ServerResponse): Promise<boolean> {
  const fault = faults.take(url.pathname + url.search);
  if (!fault) return false;
  const step = await startFault(fault, res, () => MALFORMED);
  if (step !== 'status') return step === 'done';
  const spec = { name: 'stripe', errorBody: stripeErrorBody };
  answerFaultStatus(res, fault as FaultSpec & { status: number }, spec, { 'request-id': newId('req', 14) });
  return true;
}

// ---------------------------------------------------------------------------------------------

async function serve(ctx: Internals, req: IncomingMessage, res: ServerResponse) {
  const { emulator } = ctx;
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const { raw, tooLarge } = await readBody(req, MAX_BODY_BYTES);
  const origin = `http://${req.headers.host ?? new URL(emulator.url).host}`;
  const controlAt = url.pathname.indexOf('/__control/');
  if (controlAt >= 0) return control(ctx, res, method, url.pathname.slice(controlAt), raw);

  const isApi = url.pathname === '/v1' || url.pathname.startsWith('/v1/');
  const inQuery = method === 'GET' || method === 'DELETE' || method === 'HEAD';
  let params: FormObject = {};
  let parseError: StripeApiError | undefined;
  try {
    params = parseForm(inQuery ? url.search.slice(1) : raw);
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    parseError = err;
  }
  const recordedBody = inQuery || raw === '' ? null : parseError ? raw : params;
  const entry = { method, path: url.pathname, query: url.searchParams, body: recordedBody };
  recordRequest(emulator.requests, req, entry, SECRET_HEADERS);
  if (tooLarge) return sendJson(res, 413, stripeErrorBody(413, 'Request body too large'));

  if (!isApi) {
    if (await applyFaults(emulator.faults, url, res)) return;
    const result = handlePage(ctx.store, method, url.pathname, url.searchParams, raw);
    if (result === undefined) {
      const message = `Unrecognized request URL (${method}: ${url.pathname}).`;
      return sendJson(res, 404, stripeErrorBody(404, message, { type: 'invalid_request_error' }));
    }
    if ('redirect' in result) {
      res.writeHead(303, { location: result.redirect, 'content-length': 0 });
      return res.end();
    }
    return sendHtml(res, result.status, result.html);
  }

  // Credentials first, as Stripe does: a request without a key never reaches the handler.
  const auth = authenticate(req, ctx.options.apiKey);
  if ('denied' in auth) {
    return sendJson(res, 401, stripeErrorBody(401, auth.denied), {
      'request-id': newId('req', 14),
      'www-authenticate': 'Bearer realm="Stripe"',
    });
  }
  if (await applyFaults(emulator.faults, url, res)) return;
  if (parseError) return sendJson(res, 400, parseError.body(), { 'request-id': newId('req', 14) });
  answerApi(ctx.store, ctx.idempotency, req, res, { method, path: url.pathname, params, apiKey: auth.key, origin });
}

/** Starts the Stripe emulator; port 0 (the default) picks a free one. `url` is STRIPE_API_BASE. */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  if (options.apiKey !== undefined && !/^(sk|rk)_\S+$/.test(options.apiKey)) {
    throw new Error('apiKey must look like a Stripe secret key (sk_…)');
  }
  const host = options.host ?? '127.0.0.1';
  const sender = new WebhookSender(options.webhookSecret ?? STRIPE_EMULATOR_WEBHOOK_SECRET, {
    attempts: options.webhookAttempts,
    retryDelayMs: options.webhookRetryDelayMs,
    timeoutMs: options.webhookTimeoutMs,
  });
  if (options.webhookUrl !== undefined) sender.setTarget(options.webhookUrl);
  const store = new StripeStore(options.prices ?? STRIPE_DEFAULT_PRICES, sender);
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const emulator: StripeEmulator = {
    name: 'stripe',
    url: '',
    port: 0,
    faults,
    requests,
    store,
    deliveries: sender.deliveries,
    get webhookUrl() {
      return sender.url;
    },
    get webhookSecret() {
      return sender.secret;
    },
    setWebhook: (url, secret) => sender.setTarget(url, secret),
    flush: async () => {
      await sender.idle();
      return sender.deliveries;
    },
    reset() {
      faults.clear();
      requests.length = 0; // in place: callers may hold the array
      sender.clear();
    },
    close: () => Promise.resolve(),
  };
  const ctx: Internals = { emulator, store, sender, options, idempotency: new Map() };
  const saved = options.stateFile
    ? stateFile<StripeStoreSnapshot>({ path: options.stateFile, version: 1, snapshot: () => store.snapshot() })
    : undefined;
  const loaded = saved?.load();
  if (loaded) store.restore(loaded);
  const server = createServer((req, res) => {
    // Any request may change the state (even a GET expires an old checkout session); the file is
    // written only when the state differs from what it holds.
    if (saved) res.once('close', () => saved.changed());
    serve(ctx, req, res).catch((err: unknown) => {
      // A bug in the emulator must surface as a 500 in Stripe's shape, never a crash.
      if (!res.headersSent) {
        sendJson(res, 500, stripeErrorBody(500, `Emulator error: ${(err as Error).message}`));
      } else res.destroy();
    });
  });
  const listening = await listen(server, host, options.port, () => sender.close());
  emulator.port = listening.port;
  emulator.url = listening.url;
  emulator.close = async () => {
    await listening.close();
    saved?.flush();
  };
  return emulator;
}
