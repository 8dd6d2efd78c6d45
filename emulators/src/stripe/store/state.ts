// The emulator's state and what every resource needs of it: the objects by id, lookups that answer
// Stripe's "No such ..." errors, and `emit`, which records an event and hands it to the webhook
// sender at once. What each resource does to the state is in the file named after it.
import { clone, newId, noSuch, nowSeconds, STRIPE_API_VERSION } from '../objects.js';
import type { CheckoutLineItem, CheckoutSession } from './checkout.js';
import type { Customer, DeletedCustomer } from './customers.js';
import type { StripeEvent } from './events.js';
import type { Invoice } from './invoices.js';
import type { PortalSession } from './portal.js';
import type { Price, Product } from './prices.js';
import type { Subscription } from './subscriptions.js';
import type { Metadata } from '../objects.js';

export interface EventSink {
  /** True when a webhook endpoint is configured (the event's `pending_webhooks` is then 1). */
  willDeliver(): boolean;
  deliver(event: StripeEvent): void;
}

/** The API request an event came from (`event.request`); null for page and control actions. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

const MAX_EVENTS = 10_000;

export class StripeState {
  readonly prices = new Map<string, Price>();
  readonly products = new Map<string, Product>();
  readonly customers = new Map<string, Customer>();
  readonly deletedCustomers = new Set<string>();
  readonly sessions = new Map<string, CheckoutSession>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly invoices = new Map<string, Invoice>();
  readonly portalSessions = new Map<string, PortalSession>();
  readonly events = new Map<string, StripeEvent>();
  /** Checkout line items by session id. */
  readonly lineItems = new Map<string, CheckoutLineItem[]>();
  /** A Checkout session's `subscription_data` (metadata, description), for the subscription it creates. */
  readonly sessionSubscriptionData = new Map<string, { metadata: Metadata; description: string | null }>();
  /** How many whole periods each subscription has advanced from its billing_cycle_anchor. */
  readonly periodIndex = new Map<string, number>();
  /** Set by the server while an API request runs, so its events name it. */
  request: RequestInfo = { id: null, idempotency_key: null };

  constructor(
    private readonly sink: EventSink,
    readonly apiVersion: string = STRIPE_API_VERSION,
  ) {}

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

  /** Creates an event for `object` (a copy), keeps it and hands it to the sink; Stripe's order is the call order. */
  emit(type: string, object: object, previous?: Record<string, unknown>): StripeEvent {
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
}
