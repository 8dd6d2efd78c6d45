// The routes: the /v1 API the `stripe` SDK calls (form-encoded parameters in, Stripe objects out)
// and the hosted pages a person uses (Checkout at /checkout/:id, the portal at /portal/:id).
// Each resource's routes are in routes/<resource>.ts; this file tries them in order. Handlers are
// synchronous and throw StripeApiError; the server turns that into Stripe's error response,
// applies idempotency and records the request.
import { StripeApiError } from './objects.js';
import { checkoutPageRoute, checkoutRoutes } from './routes/checkout.js';
import { customerRoutes } from './routes/customers.js';
import { eventRoutes } from './routes/events.js';
import { invoiceRoutes } from './routes/invoices.js';
import { portalPageRoute, portalRoutes } from './routes/portal.js';
import { priceRoutes } from './routes/prices.js';
import { decode, type ApiRequest, type Route } from './routes/route.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import type { StripeStore } from './store.js';

export type { ApiRequest, PageResult } from './routes/route.js';

const routes: Route[] = [
  ...priceRoutes,
  ...customerRoutes,
  ...checkoutRoutes,
  ...portalRoutes,
  ...subscriptionRoutes,
  ...invoiceRoutes,
  ...eventRoutes,
];

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

export function handlePage(store: StripeStore, method: string, path: string, query: URLSearchParams, body: string) {
  const checkout = /^\/checkout\/([^/]+)(?:\/(pay|cancel))?$/.exec(path);
  if (checkout) return checkoutPageRoute(store, method, decode(checkout[1]!), checkout[2], body);
  const portal = /^\/portal\/([^/]+)(?:\/subscriptions\/([^/]+)\/(cancel|reactivate|cancel-now|switch))?$/.exec(path);
  if (portal) {
    const [, portalId, subscriptionId, action] = portal;
    return portalPageRoute(store, method, decode(portalId!), subscriptionId, action, query, body);
  }
  return undefined;
}
