// The Stripe emulator's HTTP server: the same plumbing as ../http.ts (recording without secrets,
// the fault queue, the /__control API) around Stripe's own wire rules, which that module's JSON
// bodies do not fit: form-encoded parameters, `Authorization: Bearer sk_…`, `Idempotency-Key`
// replay, `Request-Id` / `Stripe-Version` headers and Stripe's error shape. The hosted pages
// (/checkout, /portal) need no key; /v1 does.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { FaultQueue, type FaultSpec } from '../faults.js';
import {
  credential,
  sendBytes,
  sendJson,
  STATUS_TEXT,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
  listen,
} from '../http.js';
import { canonical, parseForm, type FormObject } from './form.js';
import {
  newId,
  StripeApiError,
  stripeErrorBody,
  STRIPE_API_VERSION,
  STRIPE_DEFAULT_PRICES,
  type StripePriceOption,
} from './objects.js';
import { stateFile } from '../persist.js';
import { handleApi, handlePage } from './routes.js';
import { StripeStore, type StripeStoreSnapshot } from './store.js';
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
const MAX_RECORDED = 500;
const MAX_BODY_BYTES = 1024 * 1024;
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

interface Internals {
  emulator: StripeEmulator;
  store: StripeStore;
  sender: WebhookSender;
  options: StripeEmulatorOptions;
  idempotency: Map<string, SavedResponse>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<{ raw: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { raw: '', tooLarge: true };
    chunks.push(chunk);
  }
  return { raw: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

function record(requests: RecordedRequest[], req: IncomingMessage, method: string, url: URL, body: unknown) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  requests.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body });
  if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
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
  if (fault.hang) return true; // the server's close() destroys the socket
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.malformed) {
    sendBytes(res, 200, 'application/json', '{"id": "cus_');
    return true;
  }
  if (fault.status === undefined) return false; // a pure delay: answer normally
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined);
  const headers: Record<string, string> = { 'request-id': newId('req', 14) };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  const message = `${STATUS_TEXT[fault.status] ?? 'Error'} (injected by the stripe emulator)`;
  sendJson(res, fault.status, stripeErrorBody(fault.status, message), headers);
  return true;
}

function api(
  ctx: Internals,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  params: FormObject,
  apiKey: string,
  origin: string,
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
    const saved = ctx.idempotency.get(scope);
    if (saved && Date.now() - saved.at > IDEMPOTENCY_TTL_MS) ctx.idempotency.delete(scope);
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
  ctx.store.request = { id: requestId, idempotency_key: key ?? null };
  try {
    body = handleApi(ctx.store, { method, path, params, origin });
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    status = err.status;
    body = err.body();
  } finally {
    ctx.store.request = { id: null, idempotency_key: null };
  }
  // Stripe keeps the result once the endpoint ran; a request refused by validation (400) is not kept.
  if (key !== undefined && status !== 400) {
    ctx.idempotency.set(scope, { route, params: fingerprint, status, body, requestId, at: Date.now() });
    if (ctx.idempotency.size > MAX_IDEMPOTENCY_KEYS) ctx.idempotency.delete(ctx.idempotency.keys().next().value!);
  }
  sendJson(res, status, body, headers);
}

// ---------------------------------------------------------------------------------------------
// /__control

function controlError(res: ServerResponse, err: unknown) {
  if (err instanceof StripeApiError)
    return sendJson(res, err.status === 400 ? 400 : err.status, { error: err.message });
  return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
}

async function control(ctx: Internals, res: ServerResponse, method: string, path: string, raw: string) {
  const { emulator, store, sender } = ctx;
  let body: unknown = null;
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      return sendJson(res, 400, { error: 'control bodies are JSON' });
    }
  }
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const route = `${method} ${path}`;
  try {
    if (route === 'GET /__control/requests') return sendJson(res, 200, emulator.requests);
    if (route === 'GET /__control/faults') return sendJson(res, 200, emulator.faults.pending());
    if (route === 'POST /__control/reset') {
      emulator.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'POST /__control/faults') {
      const specs = Array.isArray(body) ? (body as unknown[]) : [body ?? {}];
      for (const spec of specs) {
        if (typeof spec !== 'object' || spec === null) throw new Error('a fault is a JSON object');
      }
      for (const spec of specs as FaultSpec[]) emulator.faults.add(spec);
      return sendJson(res, 201, { queued: specs.length, pending: emulator.faults.pending() });
    }
    if (route === 'GET /__control/webhook') return sendJson(res, 200, { url: sender.url });
    if (route === 'POST /__control/webhook') {
      if (input.url !== undefined && input.url !== null && typeof input.url !== 'string') {
        throw new Error('url must be a string or null');
      }
      const url = input.url === undefined ? sender.url : input.url;
      sender.setTarget(url, input.secret as string | undefined);
      return sendJson(res, 200, { url: sender.url });
    }
    if (route === 'GET /__control/deliveries') return sendJson(res, 200, sender.deliveries);
    if (route === 'POST /__control/flush') return sendJson(res, 200, await emulator.flush());
    if (route === 'GET /__control/events') {
      const events = [...store.events.values()].map(({ id, type, created }) => ({ id, type, created }));
      return sendJson(res, 200, events);
    }
    if (route === 'POST /__control/send') {
      const ids = input.eventIds;
      if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) {
        throw new Error('eventIds must be a non-empty array of event ids');
      }
      const events = (ids as string[]).map((id) => store.event(id));
      if (sender.url === null) return sendJson(res, 409, { error: 'no webhook endpoint configured' });
      return sendJson(res, 202, { deliveries: events.map((event) => sender.enqueue(event)) });
    }
    const resend = /^POST \/__control\/events\/([^/]+)\/resend$/.exec(route);
    if (resend) {
      const event = store.event(decodeURIComponent(resend[1]!));
      if (sender.url === null) return sendJson(res, 409, { error: 'no webhook endpoint configured' });
      return sendJson(res, 202, { delivery: sender.enqueue(event) });
    }
    const pay = /^POST \/__control\/pay\/([^/]+)$/.exec(route);
    if (pay) {
      const payer = {
        email: typeof input.email === 'string' ? input.email : undefined,
        name: typeof input.name === 'string' ? input.name : undefined,
      };
      const paid = store.payCheckoutSession(decodeURIComponent(pay[1]!), payer);
      return sendJson(res, 200, {
        session: paid.session,
        subscription: paid.subscription,
        invoice: paid.invoice,
        customer: paid.customer,
        events: paid.events.map(({ id, type }) => ({ id, type })),
        redirectUrl: paid.session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', paid.session.id),
      });
    }
    const clock = /^POST \/__control\/subscriptions\/([^/]+)\/(renew|fail-payment|end-period)$/.exec(route);
    if (clock) {
      const id = decodeURIComponent(clock[1]!);
      const result =
        clock[2] === 'renew'
          ? store.renew(id)
          : clock[2] === 'fail-payment'
            ? store.failPayment(id)
            : store.endPeriod(id);
      return sendJson(res, 200, {
        ...result,
        events: result.events.map(({ id: eventId, type }) => ({ id: eventId, type })),
      });
    }
  } catch (err) {
    return controlError(res, err);
  }
  sendJson(res, 404, { error: `no control route ${route}` });
}

// ---------------------------------------------------------------------------------------------

async function serve(ctx: Internals, req: IncomingMessage, res: ServerResponse) {
  const { emulator } = ctx;
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = (req.method ?? 'GET').toUpperCase();
  const { raw, tooLarge } = await readBody(req);
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
  record(emulator.requests, req, method, url, recordedBody);
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
  api(ctx, req, res, method, url.pathname, params, auth.key, origin);
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
