// Billing portal sessions: created by the API for a customer; the hosted portal page lists the
// customer's live subscriptions and cancels, reactivates or switches them.
import { newId, noSuch, nowSeconds } from '../objects.js';
import type { StripeState } from './state.js';
import { updateSubscription, type Subscription } from './subscriptions.js';

export interface PortalSession {
  id: string;
  object: 'billing_portal.session';
  configuration: string;
  created: number;
  customer: string;
  flow: null;
  livemode: false;
  locale: string | null;
  on_behalf_of: null;
  return_url: string | null;
  url: string;
}

export function createPortalSession(
  state: StripeState,
  params: { customer: string; returnUrl?: string; locale?: string },
  origin: string,
) {
  state.customer(params.customer, 'customer');
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
  state.portalSessions.set(id, portal);
  return portal;
}

/** The customer's subscriptions a portal session may change (not those already canceled). */
export function portalSubscriptions(state: StripeState, portalId: string): Subscription[] {
  const portal = state.portalSession(portalId);
  return [...state.subscriptions.values()].filter((s) => s.customer === portal.customer && s.status !== 'canceled');
}

/** A subscription the portal session's customer owns, or a 404. */
export function portalSubscription(state: StripeState, portalId: string, subscriptionId: string): Subscription {
  const found = portalSubscriptions(state, portalId).find((s) => s.id === subscriptionId);
  if (!found) throw noSuch('subscription', subscriptionId);
  return found;
}

/** The portal's "switch plan": the first item moves to `priceId`. */
export function switchPlan(state: StripeState, subscriptionId: string, priceId: string): Subscription {
  const subscription = state.subscription(subscriptionId);
  const item = subscription.items.data[0]!;
  return updateSubscription(state, subscriptionId, { items: [{ id: item.id, price: priceId }] });
}
