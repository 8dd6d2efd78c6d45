// The routes: the /v1 API the `stripe` SDK calls (form-encoded parameters in, Stripe objects out)
// and the hosted pages a person uses (Checkout at /checkout/:id, the portal at /portal/:id).
// Handlers are synchronous and throw StripeApiError; the server turns that into Stripe's error
// response, applies idempotency and records the request.
import { parseForm, type FormObject, type FormValue } from './form.js';
import { noSuch, StripeApiError } from './objects.js';
import type { Price } from './store/prices.js';
import { checkoutPage, messagePage, portalPage } from './pages.js';
import {
  allowOnly,
  array,
  bool,
  email,
  expandOf,
  hash,
  int,
  LIST_PARAMS,
  listParams,
  metadata,
  missing,
  nullableStr,
  requiredStr,
  str,
  unsupported,
  url,
} from './params.js';
import type { ItemChange, StripeStore } from './store.js';

export interface ApiRequest {
  method: string;
  path: string;
  params: FormObject;
  /** The origin the client reached us at, for the URLs we hand back (session.url, portal.url). */
  origin: string;
}

type Handler = (store: StripeStore, req: ApiRequest, id: string) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  handle: Handler;
}

const ID = '([^/]+)';
const routes: Route[] = [];
const route = (method: string, path: string, handle: Handler) => {
  const source = path.replace(':id', ID);
  routes.push({ method, pattern: new RegExp(`^${source}$`), handle });
};

/** The object with the request's `expand[]` applied. */
const respond = (store: StripeStore, req: ApiRequest, value: unknown) => store.expand(value, expandOf(req.params));

// ---------------------------------------------------------------------------------------------
// Prices and products

route('GET', '/v1/prices/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.price(id));
});

route('GET', '/v1/prices', (store, req) => {
  const p = req.params;
  allowOnly(p, [...LIST_PARAMS, 'active', 'currency', 'lookup_keys', 'product', 'type', 'recurring', 'created']);
  const active = bool(p, 'active');
  const product = str(p, 'product');
  const type = str(p, 'type');
  const currency = str(p, 'currency');
  const lookupKeys = array(p, 'lookup_keys')?.map(String);
  const all = [...store.prices.values()].filter(
    (price) =>
      (active === undefined || price.active === active) &&
      (product === undefined || price.product === product) &&
      (type === undefined || price.type === type) &&
      (currency === undefined || price.currency === currency) &&
      (lookupKeys === undefined || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key))),
  );
  return respond(store, req, store.list(all, listParams(p), '/v1/prices'));
});

route('GET', '/v1/products/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.product(id));
});

// ---------------------------------------------------------------------------------------------
// Customers

const CUSTOMER_FIELDS = ['email', 'name', 'description', 'phone', 'metadata', 'expand'];
// Real parameters that are accepted and have no effect here.
const CUSTOMER_IGNORED = [
  'address',
  'invoice_settings',
  'preferred_locales',
  'shipping',
  'tax',
  'tax_exempt',
  'tax_id_data',
  'payment_method',
  'invoice_prefix',
];

function customerParams(p: FormObject) {
  return {
    email: email(p, 'email'),
    name: nullableStr(p, 'name', 'name'),
    description: nullableStr(p, 'description'),
    phone: nullableStr(p, 'phone'),
    metadata: metadata(p),
  };
}

route('POST', '/v1/customers', (store, req) => {
  allowOnly(req.params, [...CUSTOMER_FIELDS, ...CUSTOMER_IGNORED]);
  return respond(store, req, store.createCustomer(customerParams(req.params)));
});

route('GET', '/v1/customers', (store, req) => {
  allowOnly(req.params, [...LIST_PARAMS, 'email', 'created', 'test_clock']);
  const list = store.listCustomers({ ...listParams(req.params), email: str(req.params, 'email') });
  return respond(store, req, list);
});

route('GET', '/v1/customers/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.retrieveCustomer(id));
});

route('POST', '/v1/customers/:id', (store, req, id) => {
  allowOnly(req.params, [
    ...CUSTOMER_FIELDS,
    ...CUSTOMER_IGNORED.filter((k) => k !== 'payment_method'),
    'default_source',
  ]);
  return respond(store, req, store.updateCustomer(id, customerParams(req.params)));
});

route('DELETE', '/v1/customers/:id', (store, req, id) => {
  allowOnly(req.params, []);
  return store.deleteCustomer(id);
});

// ---------------------------------------------------------------------------------------------
// Checkout

const CHECKOUT_FIELDS = [
  'mode',
  'customer',
  'customer_email',
  'line_items',
  'success_url',
  'cancel_url',
  'client_reference_id',
  'metadata',
  'subscription_data',
  'locale',
  'allow_promotion_codes',
  'billing_address_collection',
  'payment_method_types',
  'expires_at',
  'ui_mode',
  'expand',
];
const CHECKOUT_IGNORED = [
  'automatic_tax',
  'consent_collection',
  'currency',
  'custom_fields',
  'custom_text',
  'customer_update',
  'discounts',
  'payment_method_collection',
  'payment_method_configuration',
  'payment_method_options',
  'phone_number_collection',
  'saved_payment_method_options',
  'tax_id_collection',
];
const CHECKOUT_UNSUPPORTED = [
  'payment_intent_data',
  'setup_intent_data',
  'shipping_options',
  'return_url',
  'redirect_on_completion',
];

function lineItems(p: FormObject): { price: string; quantity: number }[] {
  const items = array(p, 'line_items');
  if (!items || items.length === 0) throw missing('line_items');
  return items.map((value: FormValue, i) => {
    const label = `line_items[${i}]`;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new StripeApiError(400, `Invalid ${label}: must be a hash`, { param: label });
    }
    allowOnly(
      value,
      ['price', 'quantity', 'adjustable_quantity', 'tax_rates', 'dynamic_tax_rates', 'price_data'],
      label,
    );
    unsupported(value, ['price_data'], label);
    return {
      price: requiredStr(value, 'price', `${label}[price]`),
      quantity: int(value, 'quantity', 1, 999_999, `${label}[quantity]`) ?? 1,
    };
  });
}

route('POST', '/v1/checkout/sessions', (store, req) => {
  const p = req.params;
  allowOnly(p, [...CHECKOUT_FIELDS, ...CHECKOUT_IGNORED, ...CHECKOUT_UNSUPPORTED]);
  unsupported(p, CHECKOUT_UNSUPPORTED);
  const mode = requiredStr(p, 'mode');
  if (mode !== 'subscription') {
    if (mode === 'payment' || mode === 'setup') {
      throw new StripeApiError(400, `mode=${mode} is not supported by the Stripe emulator (only subscription).`, {
        param: 'mode',
      });
    }
    throw new StripeApiError(400, `Invalid mode: must be one of payment, setup, or subscription`, { param: 'mode' });
  }
  const uiMode = str(p, 'ui_mode');
  if (uiMode !== undefined && uiMode !== 'hosted') {
    throw new StripeApiError(400, `ui_mode=${uiMode} is not supported by the Stripe emulator.`, { param: 'ui_mode' });
  }
  const customer = str(p, 'customer');
  const customerEmail = email(p, 'customer_email') ?? undefined;
  if (customer !== undefined && customerEmail !== undefined) {
    throw new StripeApiError(400, 'You may only specify one of these parameters: customer, customer_email.', {
      param: 'customer_email',
    });
  }
  const successUrl = url(p, 'success_url');
  if (successUrl === undefined) throw missing('success_url');
  const subscriptionData = hash(p, 'subscription_data') ?? {};
  allowOnly(
    subscriptionData,
    [
      'metadata',
      'description',
      'default_tax_rates',
      'proration_behavior',
      'application_fee_percent',
      'on_behalf_of',
      'transfer_data',
      'invoice_settings',
      'trial_period_days',
      'trial_end',
      'trial_settings',
      'billing_cycle_anchor',
      'billing_mode',
    ],
    'subscription_data',
  );
  unsupported(
    subscriptionData,
    ['trial_period_days', 'trial_end', 'trial_settings', 'billing_cycle_anchor'],
    'subscription_data',
  );
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = int(p, 'expires_at', now + 1800, now + 24 * 3600);
  const methodTypes = array(p, 'payment_method_types')?.map(String);
  const session = store.createCheckoutSession(
    {
      customer,
      customerEmail,
      lineItems: lineItems(p),
      successUrl,
      cancelUrl: url(p, 'cancel_url'),
      clientReferenceId: str(p, 'client_reference_id', 'client_reference_id', 200),
      metadata: metadata(p) ?? undefined,
      subscriptionMetadata: metadata(subscriptionData, 'metadata', 'subscription_data[metadata]') ?? undefined,
      subscriptionDescription: str(subscriptionData, 'description', 'subscription_data[description]'),
      locale: str(p, 'locale'),
      allowPromotionCodes: bool(p, 'allow_promotion_codes'),
      billingAddressCollection: str(p, 'billing_address_collection'),
      paymentMethodTypes: methodTypes,
      expiresAt,
    },
    req.origin,
  );
  return respond(store, req, session);
});

route('GET', '/v1/checkout/sessions', (store, req) => {
  const p = req.params;
  allowOnly(p, [...LIST_PARAMS, 'customer', 'subscription', 'status', 'created', 'payment_intent', 'payment_link']);
  const list = store.listCheckoutSessions({
    ...listParams(p),
    customer: str(p, 'customer'),
    subscription: str(p, 'subscription'),
    status: str(p, 'status'),
  });
  return respond(store, req, list);
});

route('GET', '/v1/checkout/sessions/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.retrieveCheckoutSession(id));
});

route('POST', '/v1/checkout/sessions/:id/expire', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.expireCheckoutSession(id));
});

route('GET', '/v1/checkout/sessions/:id/line_items', (store, req, id) => {
  allowOnly(req.params, [...LIST_PARAMS]);
  const list = store.list(store.lineItemsOf(id), listParams(req.params), `/v1/checkout/sessions/${id}/line_items`);
  return respond(store, req, list);
});

// ---------------------------------------------------------------------------------------------
// Billing portal

route('POST', '/v1/billing_portal/sessions', (store, req) => {
  const p = req.params;
  allowOnly(p, ['customer', 'return_url', 'locale', 'configuration', 'flow_data', 'on_behalf_of', 'expand']);
  unsupported(p, ['flow_data', 'on_behalf_of']);
  const portal = store.createPortalSession(
    { customer: requiredStr(p, 'customer'), returnUrl: url(p, 'return_url'), locale: str(p, 'locale') },
    req.origin,
  );
  return respond(store, req, portal);
});

// ---------------------------------------------------------------------------------------------
// Subscriptions

const STATUSES = ['active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'trialing', 'paused'];

route('GET', '/v1/subscriptions', (store, req) => {
  const p = req.params;
  allowOnly(p, [
    ...LIST_PARAMS,
    'customer',
    'status',
    'price',
    'created',
    'current_period_end',
    'current_period_start',
    'collection_method',
    'test_clock',
    'automatic_tax',
  ]);
  let status = str(p, 'status');
  if (status === 'ended') status = 'canceled';
  if (status !== undefined && status !== 'all' && !STATUSES.includes(status)) {
    throw new StripeApiError(400, `Invalid status: must be one of ${[...STATUSES, 'ended', 'all'].join(', ')}`, {
      param: 'status',
    });
  }
  const list = store.listSubscriptions({
    ...listParams(p),
    customer: str(p, 'customer'),
    price: str(p, 'price'),
    status,
  });
  return respond(store, req, list);
});

route('GET', '/v1/subscriptions/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.subscription(id));
});

function itemChanges(p: FormObject): ItemChange[] | undefined {
  const items = array(p, 'items');
  if (!items) return undefined;
  return items.map((value, i) => {
    const label = `items[${i}]`;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new StripeApiError(400, `Invalid ${label}: must be a hash`, { param: label });
    }
    allowOnly(
      value,
      ['id', 'price', 'quantity', 'deleted', 'metadata', 'clear_usage', 'tax_rates', 'discounts', 'price_data'],
      label,
    );
    unsupported(value, ['price_data'], label);
    return {
      id: str(value, 'id', `${label}[id]`),
      price: str(value, 'price', `${label}[price]`),
      quantity: int(value, 'quantity', 1, 999_999, `${label}[quantity]`),
      deleted: bool(value, 'deleted', `${label}[deleted]`),
    };
  });
}

const PRORATION = ['create_prorations', 'none', 'always_invoice'];

route('POST', '/v1/subscriptions/:id', (store, req, id) => {
  const p = req.params;
  allowOnly(p, [
    'cancel_at_period_end',
    'items',
    'metadata',
    'description',
    'cancellation_details',
    'proration_behavior',
    'proration_date',
    'payment_behavior',
    'default_payment_method',
    'cancel_at',
    'pause_collection',
    'trial_end',
    'billing_cycle_anchor',
    'expand',
  ]);
  unsupported(p, ['pause_collection', 'trial_end', 'billing_cycle_anchor']);
  if (p.cancel_at !== undefined && p.cancel_at !== '') unsupported(p, ['cancel_at']);
  const proration = str(p, 'proration_behavior');
  if (proration !== undefined && !PRORATION.includes(proration)) {
    throw new StripeApiError(400, `Invalid proration_behavior: must be one of ${PRORATION.join(', ')}`, {
      param: 'proration_behavior',
    });
  }
  const details = hash(p, 'cancellation_details') ?? {};
  allowOnly(details, ['comment', 'feedback'], 'cancellation_details');
  const subscription = store.updateSubscription(id, {
    cancelAtPeriodEnd: bool(p, 'cancel_at_period_end'),
    items: itemChanges(p),
    metadata: metadata(p),
    description: nullableStr(p, 'description'),
    cancellationComment: nullableStr(details, 'comment', 'cancellation_details[comment]'),
    cancellationFeedback: nullableStr(details, 'feedback', 'cancellation_details[feedback]'),
  });
  return respond(store, req, subscription);
});

route('DELETE', '/v1/subscriptions/:id', (store, req, id) => {
  const p = req.params;
  allowOnly(p, ['cancellation_details', 'invoice_now', 'prorate', 'expand']);
  const details = hash(p, 'cancellation_details') ?? {};
  allowOnly(details, ['comment', 'feedback'], 'cancellation_details');
  bool(p, 'invoice_now');
  bool(p, 'prorate');
  const subscription = store.cancelNow(id, {
    comment: str(details, 'comment', 'cancellation_details[comment]'),
    feedback: str(details, 'feedback', 'cancellation_details[feedback]'),
  });
  return respond(store, req, subscription);
});

// ---------------------------------------------------------------------------------------------
// Invoices and events

route('GET', '/v1/invoices', (store, req) => {
  const p = req.params;
  allowOnly(p, [...LIST_PARAMS, 'customer', 'subscription', 'status', 'created', 'collection_method', 'due_date']);
  const list = store.listInvoices({
    ...listParams(p),
    customer: str(p, 'customer'),
    subscription: str(p, 'subscription'),
    status: str(p, 'status'),
  });
  return respond(store, req, list);
});

route('GET', '/v1/invoices/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.invoice(id));
});

route('GET', '/v1/events', (store, req) => {
  const p = req.params;
  allowOnly(p, [...LIST_PARAMS, 'type', 'types', 'created', 'delivery_success']);
  const type = str(p, 'type');
  const types = array(p, 'types')?.map(String) ?? (type === undefined ? undefined : [type]);
  return respond(store, req, store.listEvents({ ...listParams(p), types }));
});

route('GET', '/v1/events/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.event(id));
});

/** Runs the /v1 route for the request; throws StripeApiError (404 for an unknown URL). */
export function handleApi(store: StripeStore, req: ApiRequest): unknown {
  for (const r of routes) {
    const match = r.method === req.method ? r.pattern.exec(req.path) : null;
    if (!match) continue;
    let id = '';
    try {
      id = match[1] === undefined ? '' : decodeURIComponent(match[1]);
    } catch {
      throw new StripeApiError(400, `Invalid id in the URL: ${match[1]}`);
    }
    return r.handle(store, req, id);
  }
  // Stripe answers an unknown path and an unsupported method on a known path alike.
  const message = `Unrecognized request URL (${req.method}: ${req.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`;
  throw new StripeApiError(404, message, { type: 'invalid_request_error' });
}

// ---------------------------------------------------------------------------------------------
// Hosted pages (no API key: a person's browser opens them)

export type PageResult = { status: number; html: string } | { redirect: string };

const page = (status: number, title: string, message: string, link?: { href: string; text: string }): PageResult => ({
  status,
  html: messagePage(title, message, link),
});

const NOTICES: Record<string, string> = {
  cancel: 'Your plan will be canceled at the end of the billing period.',
  reactivate: 'Your plan will renew as usual.',
  'cancel-now': 'Your plan has been canceled.',
  switch: 'Your plan has been updated.',
};

function productName(store: StripeStore, price: Price): string {
  return store.products.get(price.product as string)?.name ?? price.nickname ?? price.id;
}

/** A path segment decoded; a malformed escape is kept as written (and then matches no id). */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** GET/POST of /checkout/... and /portal/...; undefined when the path is not a page. */
export function handlePage(store: StripeStore, method: string, path: string, query: URLSearchParams, body: string) {
  const checkout = /^\/checkout\/([^/]+)(?:\/(pay|cancel))?$/.exec(path);
  if (checkout) return checkoutRoute(store, method, decode(checkout[1]!), checkout[2], body);
  const portal = /^\/portal\/([^/]+)(?:\/subscriptions\/([^/]+)\/(cancel|reactivate|cancel-now|switch))?$/.exec(path);
  if (portal) {
    const [, portalId, subscriptionId, action] = portal;
    return portalRoute(store, method, decode(portalId!), subscriptionId, action, query, body);
  }
  return undefined;
}

function withPageErrors(run: () => PageResult): PageResult {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    return page(err.status, err.status === 404 ? 'Not found' : 'Something went wrong', err.message);
  }
}

function checkoutRoute(store: StripeStore, method: string, id: string, action: string | undefined, body: string) {
  return withPageErrors(() => {
    const session = store.retrieveCheckoutSession(id);
    if (action === undefined) {
      if (method !== 'GET' && method !== 'HEAD') return page(405, 'Method not allowed', `${method} ${id}`);
      if (session.status === 'complete') {
        return page(200, 'Payment complete', 'This checkout is already complete.', {
          href: session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id),
          text: 'Continue',
        });
      }
      if (session.status === 'expired') {
        return page(
          410,
          'Session expired',
          'This checkout session has expired.',
          session.cancel_url ? { href: session.cancel_url, text: 'Back' } : undefined,
        );
      }
      return { status: 200, html: checkoutPage(session, store.lineItemsOf(id)) };
    }
    if (method !== 'POST') return page(405, 'Method not allowed', `${method} ${action}`);
    if (action === 'cancel') {
      // As on Stripe, leaving Checkout keeps the session open until it expires.
      if (session.cancel_url) return { redirect: session.cancel_url };
      return page(200, 'Checkout canceled', 'You left the checkout; nothing was charged.');
    }
    if (session.status !== 'open') {
      return page(409, 'Checkout closed', `This checkout session is ${session.status}.`);
    }
    const form = parseForm(body);
    const payer = {
      email: typeof form.email === 'string' && form.email !== '' ? form.email : undefined,
      name: typeof form.name === 'string' && form.name !== '' ? form.name : undefined,
    };
    const paid = store.payCheckoutSession(id, payer);
    return { redirect: paid.session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', paid.session.id) };
  });
}

function portalRoute(
  store: StripeStore,
  method: string,
  portalId: string,
  subscriptionId: string | undefined,
  action: string | undefined,
  query: URLSearchParams,
  body: string,
) {
  return withPageErrors(() => {
    const portal = store.portalSession(portalId);
    if (subscriptionId === undefined || action === undefined) {
      if (method !== 'GET' && method !== 'HEAD') return page(405, 'Method not allowed', method);
      const customer = store.customers.get(portal.customer);
      const html = portalPage({
        portal,
        email: customer?.email ?? null,
        subscriptions: store.portalSubscriptions(portalId),
        prices: [...store.prices.values()],
        productName: (price) => productName(store, price),
        notice: NOTICES[query.get('done') ?? ''],
      });
      return { status: 200, html };
    }
    if (method !== 'POST') return page(405, 'Method not allowed', method);
    const id = decode(subscriptionId);
    store.portalSubscription(portalId, id);
    if (action === 'cancel') store.updateSubscription(id, { cancelAtPeriodEnd: true });
    else if (action === 'reactivate') store.updateSubscription(id, { cancelAtPeriodEnd: false });
    else if (action === 'cancel-now') store.cancelNow(id);
    else {
      const price = parseForm(body).price;
      if (typeof price !== 'string' || !store.prices.has(price)) {
        throw noSuch('price', typeof price === 'string' ? price : JSON.stringify(price ?? null), 'price');
      }
      store.switchPlan(id, price);
    }
    return { redirect: `/portal/${encodeURIComponent(portalId)}?done=${action}` };
  });
}
