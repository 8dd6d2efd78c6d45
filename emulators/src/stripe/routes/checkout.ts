// /v1/checkout/sessions (subscription mode only: create, list, retrieve, expire, line items) and
// the hosted Checkout page (/checkout/:id, its pay and cancel buttons).
import { parseForm, type FormObject, type FormValue } from '../form.js';
import { StripeApiError } from '../objects.js';
import { checkoutPage } from '../pages.js';
import type { StripeStore } from '../store.js';
import {
  allowOnly,
  array,
  bool,
  email,
  hash,
  int,
  LIST_PARAMS,
  listParams,
  metadata,
  missing,
  requiredStr,
  str,
  unsupported,
  url,
} from '../params.js';
import { page, respond, routeIn, withPageErrors, type Route } from './route.js';

export const checkoutRoutes: Route[] = [];
const route = routeIn(checkoutRoutes);

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

export function checkoutPageRoute(
  store: StripeStore,
  method: string,
  id: string,
  action: string | undefined,
  body: string,
) {
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
