// The emulator's state and the changes Stripe makes (and the events it emits) when a customer pays,
// cancels, switches plan, or a period ends: StripeStore is the one object the routes, the hosted
// pages and the control API use. Its state and lookups are in store/state.ts; what each resource
// does is in store/<resource>.ts (prices, customers, checkout, subscriptions, billing-cycle,
// invoices, portal, events), and `expand[]` and list paging in store/expand.ts. Every method is
// synchronous, so one request's changes and events are never interleaved with another's. Events go
// to `sink` (the webhook sender) as soon as they exist.
import { nowSeconds, STRIPE_API_VERSION, type Metadata, type StripeList } from './objects.js';
import * as BillingCycle from './store/billing-cycle.js';
import * as Checkout from './store/checkout.js';
import type { CheckoutLineItem, CheckoutParams, CheckoutSession, PayResult } from './store/checkout.js';
import * as Customers from './store/customers.js';
import type { Customer, CustomerParams, DeletedCustomer } from './store/customers.js';
import * as Events from './store/events.js';
import type { StripeEvent } from './store/events.js';
import { expand, list, type ListParams } from './store/expand.js';
import * as Invoices from './store/invoices.js';
import type { Invoice } from './store/invoices.js';
import * as Portal from './store/portal.js';
import type { PortalSession } from './store/portal.js';
import { priceFrom, productFrom, type Price, type Product, type StripePriceOption } from './store/prices.js';
import { StripeState, type EventSink } from './store/state.js';
import * as Subscriptions from './store/subscriptions.js';
import type { Subscription, SubscriptionChanges } from './store/subscriptions.js';

export type { EventSink, RequestInfo } from './store/state.js';
export type { ListParams } from './store/expand.js';
export type { CustomerParams } from './store/customers.js';
export type { CheckoutParams, PayResult } from './store/checkout.js';
export type { ItemChange, SubscriptionChanges } from './store/subscriptions.js';

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

export class StripeStore extends StripeState {
  constructor(prices: readonly StripePriceOption[], sink: EventSink, apiVersion: string = STRIPE_API_VERSION) {
    super(sink, apiVersion);
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
  // Answers

  /**
   * A copy of `value` with the `expand[]` paths replaced by the objects they name
   * (`subscription`, `customer`, `latest_invoice.subscription`, `data.customer` on lists).
   */
  expand<T>(value: T, paths: string[]): T {
    return expand(this, value, paths);
  }

  /** Newest first, with Stripe's `limit` / `starting_after` / `ending_before` cursors. */
  list<T extends { id: string }>(all: T[], params: ListParams, url: string): StripeList<T> {
    return list(all, params, url);
  }

  // -------------------------------------------------------------------------------------------
  // Customers (store/customers.ts)

  createCustomer(params: CustomerParams): Customer {
    return Customers.createCustomer(this, params);
  }

  updateCustomer(id: string, params: CustomerParams): Customer {
    return Customers.updateCustomer(this, id, params);
  }

  /** Deletes the customer and, as Stripe does, cancels their subscriptions at once. */
  deleteCustomer(id: string): DeletedCustomer {
    return Customers.deleteCustomer(this, id);
  }

  listCustomers(params: ListParams & { email?: string }): StripeList<Customer> {
    return Customers.listCustomers(this, params);
  }

  // -------------------------------------------------------------------------------------------
  // Checkout (store/checkout.ts)

  createCheckoutSession(params: CheckoutParams, origin: string): CheckoutSession {
    return Checkout.createCheckoutSession(this, params, origin);
  }

  lineItemsOf(sessionId: string): CheckoutLineItem[] {
    return Checkout.lineItemsOf(this, sessionId);
  }

  listCheckoutSessions(
    params: ListParams & { customer?: string; subscription?: string; status?: string },
  ): StripeList<CheckoutSession> {
    return Checkout.listCheckoutSessions(this, params);
  }

  /** An open session past its `expires_at` expires on first sight, as Stripe expires it on time. */
  retrieveCheckoutSession(id: string): CheckoutSession {
    return Checkout.retrieveCheckoutSession(this, id);
  }

  expireCheckoutSession(id: string): CheckoutSession {
    return Checkout.expireCheckoutSession(this, id);
  }

  /** Paying on the hosted page: customer, subscription, paid invoice, session complete, and their events. */
  payCheckoutSession(id: string, payer: { email?: string; name?: string } = {}): PayResult {
    return Checkout.payCheckoutSession(this, id, payer);
  }

  // -------------------------------------------------------------------------------------------
  // Subscriptions (store/subscriptions.ts) and their billing periods (store/billing-cycle.ts)

  listSubscriptions(
    params: ListParams & { customer?: string; status?: string; price?: string },
  ): StripeList<Subscription> {
    return Subscriptions.listSubscriptions(this, params);
  }

  /** POST /v1/subscriptions/:id; sends `customer.subscription.updated` when anything changed. */
  updateSubscription(id: string, changes: SubscriptionChanges): Subscription {
    return Subscriptions.updateSubscription(this, id, changes);
  }

  /** DELETE /v1/subscriptions/:id: canceled now, `customer.subscription.deleted`. */
  cancelNow(id: string, details: { comment?: string; feedback?: string } = {}): Subscription {
    return Subscriptions.cancelNow(this, id, details);
  }

  /** The period ends and is paid (a past_due subscription: its open invoice is paid). */
  renew(id: string): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
    return BillingCycle.renew(this, id);
  }

  /** The renewal payment fails: past_due with an open invoice (or one more failed attempt on it). */
  failPayment(id: string): { subscription: Subscription; invoice: Invoice; events: StripeEvent[] } {
    return BillingCycle.failPayment(this, id);
  }

  /** The period of a cancel_at_period_end subscription ends: canceled, `customer.subscription.deleted`. */
  endPeriod(id: string): { subscription: Subscription; events: StripeEvent[] } {
    return BillingCycle.endPeriod(this, id);
  }

  // -------------------------------------------------------------------------------------------
  // Invoices (store/invoices.ts), events (store/events.ts), billing portal (store/portal.ts)

  listInvoices(params: ListParams & { customer?: string; subscription?: string; status?: string }) {
    return Invoices.listInvoices(this, params);
  }

  listEvents(params: ListParams & { types?: string[] }): StripeList<StripeEvent> {
    return Events.listEvents(this, params);
  }

  createPortalSession(params: { customer: string; returnUrl?: string; locale?: string }, origin: string) {
    return Portal.createPortalSession(this, params, origin);
  }

  /** The customer's subscriptions a portal session may change (not those already canceled). */
  portalSubscriptions(portalId: string): Subscription[] {
    return Portal.portalSubscriptions(this, portalId);
  }

  /** A subscription the portal session's customer owns, or a 404. */
  portalSubscription(portalId: string, subscriptionId: string): Subscription {
    return Portal.portalSubscription(this, portalId, subscriptionId);
  }

  /** The portal's "switch plan": the first item moves to `priceId`. */
  switchPlan(subscriptionId: string, priceId: string): Subscription {
    return Portal.switchPlan(this, subscriptionId, priceId);
  }
}
