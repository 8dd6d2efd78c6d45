// The emulator's state: prices, customers, checkout and portal sessions, subscriptions, invoices
// and events, with the state changes Stripe makes (and the events it emits) when a customer pays,
// cancels, switches plan, or a period ends. Every method is synchronous, so one request's changes
// and events are never interleaved with another's. Events go to `sink` (the webhook sender) as
// soon as they exist.
import {
  addMonths,
  clone,
  listOf,
  newId,
  noSuch,
  nowSeconds,
  priceFrom,
  productFrom,
  randomToken,
  StripeApiError,
  STRIPE_API_VERSION,
  type CheckoutLineItem,
  type CheckoutSession,
  type Customer,
  type DeletedCustomer,
  type Invoice,
  type InvoiceLine,
  type Metadata,
  type PortalSession,
  type Price,
  type Product,
  type StripeEvent,
  type StripeList,
  type StripePriceOption,
  type Subscription,
  type SubscriptionItem,
} from './objects.js';

export interface EventSink {
  /** True when a webhook endpoint is configured (the event's `pending_webhooks` is then 1). */
  willDeliver(): boolean;
  deliver(event: StripeEvent): void;
}

export interface ListParams {
  limit?: number;
  startingAfter?: string;
  endingBefore?: string;
}

export interface CustomerParams {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  phone?: string | null;
  /** null (the form's `metadata=`) clears all keys; a key set to '' is removed. */
  metadata?: Metadata | null;
}

export interface CheckoutParams {
  customer?: string;
  customerEmail?: string;
  lineItems: { price: string; quantity: number }[];
  successUrl: string;
  cancelUrl?: string;
  clientReferenceId?: string;
  metadata?: Metadata;
  subscriptionMetadata?: Metadata;
  subscriptionDescription?: string;
  locale?: string;
  allowPromotionCodes?: boolean;
  billingAddressCollection?: string;
  paymentMethodTypes?: string[];
  expiresAt?: number;
}

export interface ItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
}

export interface SubscriptionChanges {
  cancelAtPeriodEnd?: boolean;
  items?: ItemChange[];
  metadata?: Metadata | null;
  description?: string | null;
  cancellationComment?: string | null;
  cancellationFeedback?: string | null;
  /** Set by the portal: Stripe records why the subscription is ending. */
  cancellationReason?: string | null;
}

export interface PayResult {
  session: CheckoutSession;
  subscription: Subscription;
  invoice: Invoice;
  customer: Customer;
  events: StripeEvent[];
}

/** The API request an event came from (`event.request`); null for page and control actions. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

/** What `StripeStore.snapshot()` returns and `restore()` takes back. */
export interface StripeStoreSnapshot {
  prices: Price[];
  products: Product[];
  customers: Customer[];
  deletedCustomers: string[];
  sessions: CheckoutSession[];
  subscriptions: Subscription[];
  invoices: Invoice[];
  portalSessions: PortalSession[];
  events: StripeEvent[];
  lineItems: [string, CheckoutLineItem[]][];
  sessionSubscriptionData: [string, { metadata: Metadata; description: string | null }][];
  periodIndex: [string, number][];
}

const MAX_EVENTS = 10_000;

function applyMetadata(current: Metadata, update: Metadata | null | undefined): Metadata {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The top-level fields of `before` whose values changed, with their old values (Stripe's previous_attributes). */
function changedFields(before: object, after: object): Record<string, unknown> | undefined {
  const previous: Record<string, unknown> = {};
  const old = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  for (const key of Object.keys(now)) {
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) previous[key] = old[key] ?? null;
  }
  return Object.keys(previous).length === 0 ? undefined : previous;
}

export class StripeStore {
  readonly prices = new Map<string, Price>();
  readonly products = new Map<string, Product>();
  readonly customers = new Map<string, Customer>();
  readonly deletedCustomers = new Set<string>();
  readonly sessions = new Map<string, CheckoutSession>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly invoices = new Map<string, Invoice>();
  readonly portalSessions = new Map<string, PortalSession>();
  readonly events = new Map<string, StripeEvent>();
  private readonly lineItems = new Map<string, CheckoutLineItem[]>();
  private readonly sessionSubscriptionData = new Map<string, { metadata: Metadata; description: string | null }>();
  /** How many whole periods each subscription has advanced from its billing_cycle_anchor. */
  private readonly periodIndex = new Map<string, number>();
  /** Set by the server while an API request runs, so its events name it. */
  request: RequestInfo = { id: null, idempotency_key: null };

  constructor(
    prices: readonly StripePriceOption[],
    private readonly sink: EventSink,
    readonly apiVersion: string = STRIPE_API_VERSION,
  ) {
    const created = nowSeconds();
    for (const option of prices) {
      if (this.prices.has(option.id)) throw new Error(`duplicate price id ${option.id}`);
      const product = this.products.get(option.productId ?? '') ?? productFrom(option, created);
      this.products.set(product.id, product);
      this.prices.set(option.id, priceFrom(option, product, created));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Saving and loading (the local stack keeps the state across restarts; see ../persist.ts)

  /** Everything the store holds, as JSON-able data; events are cut to the newest `maxEvents`. */
  snapshot(maxEvents = 1_000): StripeStoreSnapshot {
    const events = [...this.events.values()];
    return {
      prices: [...this.prices.values()],
      products: [...this.products.values()],
      customers: [...this.customers.values()],
      deletedCustomers: [...this.deletedCustomers],
      sessions: [...this.sessions.values()],
      subscriptions: [...this.subscriptions.values()],
      invoices: [...this.invoices.values()],
      portalSessions: [...this.portalSessions.values()],
      events: events.slice(Math.max(0, events.length - maxEvents)),
      lineItems: [...this.lineItems],
      sessionSubscriptionData: [...this.sessionSubscriptionData],
      periodIndex: [...this.periodIndex],
    };
  }

  /**
   * Takes back a snapshot: every object it holds, in its order. The prices this store was made
   * with win over saved ones of the same id; saved prices it does not know are kept.
   */
  restore(saved: StripeStoreSnapshot): void {
    const byId = <T extends { id: string }>(map: Map<string, T>, items: T[] | undefined, keep = false) => {
      for (const item of items ?? []) if (!(keep && map.has(item.id))) map.set(item.id, item);
    };
    byId(this.products, saved.products, true);
    byId(this.prices, saved.prices, true);
    byId(this.customers, saved.customers);
    for (const id of saved.deletedCustomers ?? []) this.deletedCustomers.add(id);
    byId(this.sessions, saved.sessions);
    byId(this.subscriptions, saved.subscriptions);
    byId(this.invoices, saved.invoices);
    byId(this.portalSessions, saved.portalSessions);
    byId(this.events, saved.events);
    for (const [id, items] of saved.lineItems ?? []) this.lineItems.set(id, items);
    for (const [id, data] of saved.sessionSubscriptionData ?? []) this.sessionSubscriptionData.set(id, data);
    for (const [id, index] of saved.periodIndex ?? []) this.periodIndex.set(id, index);
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  price(id: string, param = 'id'): Price {
    const price = this.prices.get(id);
    if (!price) throw noSuch('price', id, param);
    return price;
  }

  product(id: string): Product {
    const product = this.products.get(id);
    if (!product) throw noSuch('product', id);
    return product;
  }

  /** A live customer; a deleted one is missing (use `retrieveCustomer` for the deleted stub). */
  customer(id: string, param = 'id'): Customer {
    const customer = this.customers.get(id);
    if (!customer) throw noSuch('customer', id, param);
    return customer;
  }

  retrieveCustomer(id: string): Customer | DeletedCustomer {
    if (this.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    return this.customer(id);
  }

  session(id: string): CheckoutSession {
    const session = this.sessions.get(id);
    if (!session) throw noSuch('checkout.session', id);
    return session;
  }

  subscription(id: string, param = 'id'): Subscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw noSuch('subscription', id, param);
    return subscription;
  }

  invoice(id: string): Invoice {
    const invoice = this.invoices.get(id);
    if (!invoice) throw noSuch('invoice', id);
    return invoice;
  }

  portalSession(id: string): PortalSession {
    const portal = this.portalSessions.get(id);
    if (!portal) throw noSuch('billing_portal.session', id);
    return portal;
  }

  event(id: string): StripeEvent {
    const event = this.events.get(id);
    if (!event) throw noSuch('event', id);
    return event;
  }

  /** Any object by id, for `expand[]`. */
  lookup(id: string): object | undefined {
    if (this.deletedCustomers.has(id)) return { id, object: 'customer', deleted: true };
    for (const map of [
      this.customers,
      this.subscriptions,
      this.invoices,
      this.prices,
      this.products,
      this.sessions,
      this.portalSessions,
      this.events,
    ] as Map<string, object>[]) {
      const found = map.get(id);
      if (found) return found;
    }
    return undefined;
  }

  lineItemsOf(sessionId: string): CheckoutLineItem[] {
    this.session(sessionId);
    return this.lineItems.get(sessionId) ?? [];
  }

  /**
   * A copy of `value` with the `expand[]` paths replaced by the objects they name
   * (`subscription`, `customer`, `latest_invoice.subscription`, `data.customer` on lists).
   */
  expand<T>(value: T, paths: string[]): T {
    const out = clone(value);
    for (const path of paths) {
      const segments = path.split('.');
      if (segments.length > 4) {
        throw new StripeApiError(400, `You cannot expand more than 4 levels of a property. Property: ${path}`, {
          param: 'expand',
        });
      }
      this.expandAt(out, segments, path);
    }
    return out;
  }

  private expandAt(container: unknown, segments: string[], path: string): void {
    if (segments.length === 0 || container === null || container === undefined) return;
    if (Array.isArray(container)) {
      for (const element of container) this.expandAt(element, segments, path);
      return;
    }
    const cannot = () => new StripeApiError(400, `This property cannot be expanded (${path}).`, { param: 'expand' });
    if (typeof container !== 'object') throw cannot();
    const record = container as Record<string, unknown>;
    const [key, ...rest] = segments as [string, ...string[]];
    if (!(key in record)) {
      if (record.object === 'checkout.session' && key === 'line_items') {
        const id = record.id as string;
        record.line_items = listOf(clone(this.lineItemsOf(id)), `/v1/checkout/sessions/${id}/line_items`);
      } else throw cannot();
    }
    const value = record[key];
    if (typeof value === 'string') {
      const found = this.lookup(value);
      if (!found) throw cannot();
      record[key] = clone(found);
    } else if (value !== null && typeof value !== 'object') {
      throw cannot();
    }
    this.expandAt(record[key], rest, path);
  }

  /** Newest first, with Stripe's `limit` / `starting_after` / `ending_before` cursors. */
  list<T extends { id: string }>(all: T[], params: ListParams, url: string): StripeList<T> {
    const limit = params.limit ?? 10;
    const newestFirst = [...all].reverse();
    let start = 0;
    let end = newestFirst.length;
    if (params.startingAfter !== undefined) {
      const at = newestFirst.findIndex((o) => o.id === params.startingAfter);
      if (at < 0) throw noSuch('object', params.startingAfter, 'starting_after');
      start = at + 1;
    } else if (params.endingBefore !== undefined) {
      const at = newestFirst.findIndex((o) => o.id === params.endingBefore);
      if (at < 0) throw noSuch('object', params.endingBefore, 'ending_before');
      end = at;
      start = Math.max(0, end - limit);
    }
    const page = newestFirst.slice(start, Math.min(end, start + limit));
    const hasMore = params.endingBefore !== undefined ? start > 0 : start + limit < end;
    return listOf(page, url, hasMore);
  }

  // -------------------------------------------------------------------------------------------
  // Events

  private emit(type: string, object: object, previous?: Record<string, unknown>): StripeEvent {
    const willDeliver = this.sink.willDeliver();
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.apiVersion,
      created: nowSeconds(),
      data: { object: clone(object), ...(previous ? { previous_attributes: clone(previous) } : {}) },
      livemode: false,
      pending_webhooks: willDeliver ? 1 : 0,
      request: { ...this.request },
      type,
    };
    this.events.set(event.id, event);
    if (this.events.size > MAX_EVENTS) this.events.delete(this.events.keys().next().value!);
    this.sink.deliver(event);
    return event;
  }

  // -------------------------------------------------------------------------------------------
  // Customers

  createCustomer(params: CustomerParams): Customer {
    const customer: Customer = {
      id: newId('cus', 14),
      object: 'customer',
      address: null,
      balance: 0,
      created: nowSeconds(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: params.description ?? null,
      email: params.email ?? null,
      invoice_prefix: randomToken(8).toUpperCase(),
      invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
      livemode: false,
      metadata: applyMetadata({}, params.metadata),
      name: params.name ?? null,
      next_invoice_sequence: 1,
      phone: params.phone ?? null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: 'none',
      test_clock: null,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  updateCustomer(id: string, params: CustomerParams): Customer {
    const customer = this.customer(id);
    if (params.email !== undefined) customer.email = params.email;
    if (params.name !== undefined) customer.name = params.name;
    if (params.description !== undefined) customer.description = params.description;
    if (params.phone !== undefined) customer.phone = params.phone;
    customer.metadata = applyMetadata(customer.metadata, params.metadata);
    return customer;
  }

  /** Deletes the customer and, as Stripe does, cancels their subscriptions at once. */
  deleteCustomer(id: string): DeletedCustomer {
    this.customer(id);
    for (const subscription of this.subscriptions.values()) {
      if (subscription.customer === id && subscription.status !== 'canceled') this.cancelNow(subscription.id);
    }
    this.customers.delete(id);
    this.deletedCustomers.add(id);
    return { id, object: 'customer', deleted: true };
  }

  listCustomers(params: ListParams & { email?: string }): StripeList<Customer> {
    const all = [...this.customers.values()].filter((c) => params.email === undefined || c.email === params.email);
    return this.list(all, params, '/v1/customers');
  }

  // -------------------------------------------------------------------------------------------
  // Checkout

  createCheckoutSession(params: CheckoutParams, origin: string): CheckoutSession {
    if (params.customer !== undefined) this.customer(params.customer, 'customer');
    if (params.lineItems.length === 0) {
      throw new StripeApiError(400, 'Missing required param: line_items.', {
        code: 'parameter_missing',
        param: 'line_items',
      });
    }
    const id = `cs_test_a1${randomToken(56)}`;
    const items = params.lineItems.map(({ price: priceId, quantity }, i): CheckoutLineItem => {
      const price = this.price(priceId, `line_items[${i}][price]`);
      const product = this.products.get(price.product as string);
      const amount = (price.unit_amount ?? 0) * quantity;
      return {
        id: newId('li'),
        object: 'item',
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price.currency,
        description: product?.name ?? price.id,
        price: clone(price),
        quantity,
      };
    });
    const currencies = new Set(items.map((item) => item.currency));
    if (currencies.size > 1) {
      throw new StripeApiError(400, 'All prices in line_items must have the same currency.', { param: 'line_items' });
    }
    const total = items.reduce((sum, item) => sum + item.amount_total, 0);
    const created = nowSeconds();
    const session: CheckoutSession = {
      id,
      object: 'checkout.session',
      allow_promotion_codes: params.allowPromotionCodes ?? null,
      amount_subtotal: total,
      amount_total: total,
      billing_address_collection: params.billingAddressCollection ?? null,
      cancel_url: params.cancelUrl ?? null,
      client_reference_id: params.clientReferenceId ?? null,
      client_secret: null,
      created,
      currency: items[0]!.currency,
      customer: params.customer ?? null,
      customer_creation: params.customer === undefined ? 'always' : null,
      customer_details: null,
      customer_email: params.customerEmail ?? null,
      expires_at: params.expiresAt ?? created + 24 * 3600,
      invoice: null,
      livemode: false,
      locale: params.locale ?? null,
      metadata: applyMetadata({}, params.metadata),
      mode: 'subscription',
      payment_intent: null,
      payment_method_types: params.paymentMethodTypes ?? ['card'],
      payment_status: 'unpaid',
      status: 'open',
      subscription: null,
      success_url: params.successUrl,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: 'hosted',
      url: `${origin}/checkout/${id}`,
    };
    this.sessions.set(id, session);
    this.lineItems.set(id, items);
    this.sessionSubscriptionData.set(id, {
      metadata: applyMetadata({}, params.subscriptionMetadata),
      description: params.subscriptionDescription ?? null,
    });
    return session;
  }

  listCheckoutSessions(
    params: ListParams & { customer?: string; subscription?: string; status?: string },
  ): StripeList<CheckoutSession> {
    const all = [...this.sessions.values()].filter(
      (s) =>
        (params.customer === undefined || s.customer === params.customer) &&
        (params.subscription === undefined || s.subscription === params.subscription) &&
        (params.status === undefined || s.status === params.status),
    );
    return this.list(all, params, '/v1/checkout/sessions');
  }

  /** An open session past its `expires_at` expires on first sight, as Stripe expires it on time. */
  private checkExpiry(session: CheckoutSession): void {
    if (session.status === 'open' && nowSeconds() >= session.expires_at) this.expire(session);
  }

  private expire(session: CheckoutSession): void {
    session.status = 'expired';
    session.url = null;
    this.emit('checkout.session.expired', session);
  }

  retrieveCheckoutSession(id: string): CheckoutSession {
    const session = this.session(id);
    this.checkExpiry(session);
    return session;
  }

  expireCheckoutSession(id: string): CheckoutSession {
    const session = this.retrieveCheckoutSession(id);
    if (session.status !== 'open') {
      throw new StripeApiError(
        400,
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      );
    }
    this.expire(session);
    return session;
  }

  /**
   * What paying on the hosted page does: the customer (created unless the session names one), an
   * active subscription with the session's prices and `subscription_data`, a paid invoice, and the
   * session completed; then `checkout.session.completed`, `customer.subscription.created` and
   * `invoice.paid`, in that order.
   */
  payCheckoutSession(id: string, payer: { email?: string; name?: string } = {}): PayResult {
    const session = this.retrieveCheckoutSession(id);
    if (session.status !== 'open') {
      throw new StripeApiError(409, `This Checkout Session is no longer open (status: ${session.status}).`, {
        code: 'checkout_session_not_open',
      });
    }
    const customer =
      typeof session.customer === 'string'
        ? this.customer(session.customer, 'customer')
        : this.createCustomer({
            email: payer.email ?? session.customer_email ?? 'customer@example.com',
            name: payer.name ?? null,
          });
    const data = this.sessionSubscriptionData.get(id) ?? { metadata: {}, description: null };
    const items = this.lineItems.get(id) ?? [];
    const subscription = this.createSubscription(
      customer,
      items.map((item) => ({ price: item.price.id, quantity: item.quantity })),
      data.metadata,
      data.description,
    );
    const invoice = this.createInvoice(subscription, 'subscription_create', true);
    subscription.latest_invoice = invoice.id;

    session.status = 'complete';
    session.payment_status = session.amount_total === 0 ? 'no_payment_required' : 'paid';
    session.customer = customer.id;
    session.subscription = subscription.id;
    session.invoice = invoice.id;
    session.customer_details = { email: customer.email, name: customer.name, phone: null, tax_exempt: 'none' };
    session.url = null;

    const events = [
      this.emit('checkout.session.completed', session),
      this.emit('customer.subscription.created', subscription),
      this.emit('invoice.paid', invoice),
    ];
    return { session, subscription, invoice, customer, events };
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions and invoices

  private createSubscription(
    customer: Customer,
    lines: { price: string; quantity: number }[],
    metadata: Metadata,
    description: string | null,
  ): Subscription {
    const now = nowSeconds();
    const id = newId('sub');
    const interval = this.price(lines[0]!.price).recurring.interval;
    const end = addMonths(now, interval === 'year' ? 12 : 1);
    const subscription: Subscription = {
      id,
      object: 'subscription',
      application: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: now,
      billing_mode: { type: 'flexible' },
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, reason: null },
      collection_method: 'charge_automatically',
      created: now,
      currency: this.price(lines[0]!.price).currency,
      current_period_end: end,
      current_period_start: now,
      customer: customer.id,
      default_payment_method: newId('pm'),
      description,
      discounts: [],
      ended_at: null,
      items: listOf([], `/v1/subscription_items?subscription=${id}`),
      latest_invoice: null,
      livemode: false,
      metadata: { ...metadata },
      pause_collection: null,
      start_date: now,
      status: 'active',
      test_clock: null,
      trial_end: null,
      trial_start: null,
    };
    subscription.items.data = lines.map((line) => this.newItem(subscription, line.price, line.quantity));
    subscription.items.total_count = subscription.items.data.length;
    this.subscriptions.set(id, subscription);
    this.periodIndex.set(id, 0);
    return subscription;
  }

  private newItem(subscription: Subscription, priceId: string, quantity: number, param?: string): SubscriptionItem {
    return {
      id: newId('si', 14),
      object: 'subscription_item',
      created: nowSeconds(),
      current_period_end: subscription.current_period_end,
      current_period_start: subscription.current_period_start,
      discounts: [],
      metadata: {},
      price: clone(this.price(priceId, param)),
      quantity,
      subscription: subscription.id,
      tax_rates: [],
    };
  }

  private createInvoice(subscription: Subscription, reason: Invoice['billing_reason'], paid: boolean): Invoice {
    const customer = this.customers.get(subscription.customer as string);
    const now = nowSeconds();
    const id = newId('in');
    const lines = subscription.items.data.map((item): InvoiceLine => ({
      id: newId('il'),
      object: 'line_item',
      amount: (item.price.unit_amount ?? 0) * item.quantity,
      currency: item.price.currency,
      description: `${item.quantity} × ${this.products.get(item.price.product as string)?.name ?? item.price.id}`,
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        type: 'subscription_item_details',
        subscription_item_details: { subscription: subscription.id, subscription_item: item.id, proration: false },
      },
      period: { start: subscription.current_period_start, end: subscription.current_period_end },
      pricing: {
        type: 'price_details',
        price_details: { price: item.price.id, product: item.price.product as string },
        unit_amount_decimal: item.price.unit_amount_decimal,
      },
      quantity: item.quantity,
      subscription: subscription.id,
      subtotal: (item.price.unit_amount ?? 0) * item.quantity,
    }));
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    const sequence = customer ? customer.next_invoice_sequence++ : 1;
    const invoice: Invoice = {
      id,
      object: 'invoice',
      amount_due: total,
      amount_paid: paid ? total : 0,
      amount_remaining: paid ? 0 : total,
      attempt_count: 1,
      attempted: true,
      billing_reason: reason,
      collection_method: 'charge_automatically',
      created: now,
      currency: subscription.currency,
      customer: subscription.customer,
      customer_email: customer?.email ?? null,
      customer_name: customer?.name ?? null,
      hosted_invoice_url: null,
      lines: listOf(lines, `/v1/invoices/${id}/lines`),
      livemode: false,
      metadata: {},
      next_payment_attempt: paid ? null : now + 3 * 24 * 3600,
      number: `${customer?.invoice_prefix ?? 'EMU'}-${String(sequence).padStart(4, '0')}`,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id },
      },
      period_end: subscription.current_period_end,
      period_start: subscription.current_period_start,
      status: paid ? 'paid' : 'open',
      status_transitions: {
        finalized_at: now,
        marked_uncollectible_at: null,
        paid_at: paid ? now : null,
        voided_at: null,
      },
      subscription: subscription.id,
      subtotal: total,
      total,
    };
    this.invoices.set(id, invoice);
    return invoice;
  }

  listSubscriptions(
    params: ListParams & { customer?: string; status?: string; price?: string },
  ): StripeList<Subscription> {
    const all = [...this.subscriptions.values()].filter(
      (s) =>
        (params.customer === undefined || s.customer === params.customer) &&
        (params.price === undefined || s.items.data.some((item) => item.price.id === params.price)) &&
        (params.status === 'all' ||
          (params.status === undefined ? s.status !== 'canceled' : s.status === params.status)),
    );
    return this.list(all, params, '/v1/subscriptions');
  }

  listInvoices(params: ListParams & { customer?: string; subscription?: string; status?: string }) {
    const all = [...this.invoices.values()].filter(
      (i) =>
        (params.customer === undefined || i.customer === params.customer) &&
        (params.subscription === undefined || i.subscription === params.subscription) &&
        (params.status === undefined || i.status === params.status),
    );
    return this.list(all, params, '/v1/invoices');
  }

  listEvents(params: ListParams & { types?: string[] }): StripeList<StripeEvent> {
    const all = [...this.events.values()].filter((e) => params.types === undefined || params.types.includes(e.type));
    return this.list(all, params, '/v1/events');
  }

  /** POST /v1/subscriptions/:id; sends `customer.subscription.updated` when anything changed. */
  updateSubscription(id: string, changes: SubscriptionChanges): Subscription {
    const subscription = this.subscription(id);
    const before = clone(subscription);
    if (subscription.status === 'canceled') {
      const allowed = new Set(['metadata', 'cancellationComment', 'cancellationFeedback']);
      const other = Object.entries(changes).find(([key, value]) => value !== undefined && !allowed.has(key));
      if (other) {
        throw new StripeApiError(400, 'A canceled subscription can only update its cancellation_details and metadata.');
      }
    }
    if (changes.items !== undefined) this.applyItems(subscription, changes.items);
    if (changes.cancelAtPeriodEnd !== undefined && changes.cancelAtPeriodEnd !== subscription.cancel_at_period_end) {
      const now = nowSeconds();
      subscription.cancel_at_period_end = changes.cancelAtPeriodEnd;
      subscription.cancel_at = changes.cancelAtPeriodEnd ? subscription.current_period_end : null;
      subscription.canceled_at = changes.cancelAtPeriodEnd ? now : null;
      subscription.cancellation_details.reason = changes.cancelAtPeriodEnd
        ? (changes.cancellationReason ?? 'cancellation_requested')
        : null;
    }
    if (changes.cancellationComment !== undefined)
      subscription.cancellation_details.comment = changes.cancellationComment;
    if (changes.cancellationFeedback !== undefined) {
      subscription.cancellation_details.feedback = changes.cancellationFeedback;
    }
    if (changes.description !== undefined) subscription.description = changes.description;
    subscription.metadata = applyMetadata(subscription.metadata, changes.metadata);
    const previous = changedFields(before, subscription);
    if (previous) this.emit('customer.subscription.updated', subscription, previous);
    return subscription;
  }

  private applyItems(subscription: Subscription, changes: ItemChange[]): void {
    let items = [...subscription.items.data];
    changes.forEach((change, i) => {
      const param = (field: string) => `items[${i}][${field}]`;
      if (change.id !== undefined) {
        const at = items.findIndex((item) => item.id === change.id);
        if (at < 0) throw noSuch('subscription item', change.id, param('id'));
        if (change.deleted) {
          items = items.filter((item) => item.id !== change.id);
          return;
        }
        const item = { ...items[at]! };
        if (change.price !== undefined) item.price = clone(this.price(change.price, param('price')));
        if (change.quantity !== undefined) item.quantity = change.quantity;
        items[at] = item;
      } else {
        if (change.deleted) {
          throw new StripeApiError(400, 'Missing required param: items[0][id].', { param: param('id') });
        }
        if (change.price === undefined) {
          throw new StripeApiError(400, `Missing required param: ${param('price')}.`, {
            code: 'parameter_missing',
            param: param('price'),
          });
        }
        // As on Stripe: an item without `id` is ADDED; switching plan means naming the item to change.
        items.push(this.newItem(subscription, change.price, change.quantity ?? 1, param('price')));
      }
    });
    if (items.length === 0) {
      throw new StripeApiError(400, 'A subscription must have at least one active plan.', { param: 'items' });
    }
    const prices = items.map((item) => item.price.id);
    if (new Set(prices).size !== prices.length) {
      throw new StripeApiError(400, 'Cannot add multiple subscription items with the same price.', { param: 'items' });
    }
    if (items.some((item) => item.price.currency !== subscription.currency)) {
      throw new StripeApiError(400, `Every price of a subscription must be in ${subscription.currency}.`, {
        param: 'items',
      });
    }
    subscription.items = { ...subscription.items, data: items, total_count: items.length };
  }

  /** DELETE /v1/subscriptions/:id: canceled now, `customer.subscription.deleted`. */
  cancelNow(id: string, details: { comment?: string; feedback?: string } = {}): Subscription {
    const subscription = this.subscription(id);
    if (subscription.status === 'canceled') {
      throw new StripeApiError(400, `This subscription is already canceled: '${id}'.`);
    }
    const now = nowSeconds();
    subscription.status = 'canceled';
    subscription.canceled_at = now;
    subscription.ended_at = now;
    subscription.cancel_at = null;
    subscription.cancel_at_period_end = false;
    subscription.cancellation_details = {
      comment: details.comment ?? null,
      feedback: details.feedback ?? null,
      reason: 'cancellation_requested',
    };
    this.emit('customer.subscription.deleted', subscription);
    return subscription;
  }

  private advancePeriod(subscription: Subscription): void {
    const interval = subscription.items.data[0]?.price.recurring.interval ?? 'month';
    const months = interval === 'year' ? 12 : 1;
    const index = (this.periodIndex.get(subscription.id) ?? 0) + 1;
    this.periodIndex.set(subscription.id, index);
    subscription.current_period_start = subscription.current_period_end;
    subscription.current_period_end = addMonths(subscription.billing_cycle_anchor, (index + 1) * months);
    subscription.items = {
      ...subscription.items,
      data: subscription.items.data.map((item) => ({
        ...item,
        current_period_start: subscription.current_period_start,
        current_period_end: subscription.current_period_end,
      })),
    };
  }

  private renewable(subscription: Subscription, action: string): void {
    if (subscription.status === 'canceled') {
      throw new StripeApiError(409, `Cannot ${action}: subscription ${subscription.id} is canceled.`);
    }
    if (subscription.cancel_at_period_end) {
      throw new StripeApiError(
        409,
        `Cannot ${action}: subscription ${subscription.id} cancels at period end (use end-period).`,
      );
    }
  }

  private openInvoice(subscription: Subscription): Invoice | undefined {
    const latest = subscription.latest_invoice;
    const invoice = typeof latest === 'string' ? this.invoices.get(latest) : undefined;
    return invoice?.status === 'open' ? invoice : undefined;
  }

  /**
   * The period ends and is paid: a new period, a paid `subscription_cycle` invoice, `invoice.paid`
   * then `customer.subscription.updated`. A past_due subscription instead has its open invoice paid
   * (same period) and becomes active again.
   */
  renew(id: string): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
    const subscription = this.subscription(id);
    this.renewable(subscription, 'renew');
    const before = clone(subscription);
    let invoice = this.openInvoice(subscription);
    const now = nowSeconds();
    if (invoice) {
      invoice.status = 'paid';
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.attempt_count += 1;
      invoice.next_payment_attempt = null;
      invoice.status_transitions.paid_at = now;
    } else {
      this.advancePeriod(subscription);
      invoice = this.createInvoice(subscription, 'subscription_cycle', true);
      subscription.latest_invoice = invoice.id;
    }
    subscription.status = 'active';
    const events = [this.emit('invoice.paid', invoice)];
    const previous = changedFields(before, subscription);
    if (previous) events.push(this.emit('customer.subscription.updated', subscription, previous));
    return { subscription, invoice, events };
  }

  /**
   * The renewal payment fails: a new period with an open `subscription_cycle` invoice (or one more
   * failed attempt on the open one), status past_due, `invoice.payment_failed` then
   * `customer.subscription.updated`.
   */
  failPayment(id: string): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
    const subscription = this.subscription(id);
    this.renewable(subscription, 'fail the payment');
    const before = clone(subscription);
    let invoice = this.openInvoice(subscription);
    if (invoice) {
      invoice.attempt_count += 1;
      invoice.next_payment_attempt = nowSeconds() + 3 * 24 * 3600;
    } else {
      this.advancePeriod(subscription);
      invoice = this.createInvoice(subscription, 'subscription_cycle', false);
      subscription.latest_invoice = invoice.id;
    }
    subscription.status = 'past_due';
    const events = [this.emit('invoice.payment_failed', invoice)];
    const previous = changedFields(before, subscription);
    if (previous) events.push(this.emit('customer.subscription.updated', subscription, previous));
    return { subscription, invoice, events };
  }

  /** The period of a cancel_at_period_end subscription ends: canceled, `customer.subscription.deleted`. */
  endPeriod(id: string): { subscription: Subscription; events: StripeEvent[] } {
    const subscription = this.subscription(id);
    if (subscription.status === 'canceled') {
      throw new StripeApiError(409, `Subscription ${id} is already canceled.`);
    }
    if (!subscription.cancel_at_period_end) {
      throw new StripeApiError(409, `Subscription ${id} does not cancel at period end (use renew or fail-payment).`);
    }
    subscription.status = 'canceled';
    subscription.ended_at = subscription.current_period_end;
    subscription.cancel_at = subscription.current_period_end;
    return { subscription, events: [this.emit('customer.subscription.deleted', subscription)] };
  }

  // -------------------------------------------------------------------------------------------
  // Billing portal

  createPortalSession(params: { customer: string; returnUrl?: string; locale?: string }, origin: string) {
    this.customer(params.customer, 'customer');
    const id = newId('bps');
    const portal: PortalSession = {
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_emulator_default',
      created: nowSeconds(),
      customer: params.customer,
      flow: null,
      livemode: false,
      locale: params.locale ?? null,
      on_behalf_of: null,
      return_url: params.returnUrl ?? null,
      url: `${origin}/portal/${id}`,
    };
    this.portalSessions.set(id, portal);
    return portal;
  }

  /** The customer's subscriptions a portal session may change (not those already canceled). */
  portalSubscriptions(portalId: string): Subscription[] {
    const portal = this.portalSession(portalId);
    return [...this.subscriptions.values()].filter((s) => s.customer === portal.customer && s.status !== 'canceled');
  }

  /** A subscription the portal session's customer owns, or a 404. */
  portalSubscription(portalId: string, subscriptionId: string): Subscription {
    const found = this.portalSubscriptions(portalId).find((s) => s.id === subscriptionId);
    if (!found) throw noSuch('subscription', subscriptionId);
    return found;
  }

  /** The portal's "switch plan": the first item moves to `priceId`. */
  switchPlan(subscriptionId: string, priceId: string): Subscription {
    const subscription = this.subscription(subscriptionId);
    const item = subscription.items.data[0]!;
    return this.updateSubscription(subscriptionId, { items: [{ id: item.id, price: priceId }] });
  }
}
