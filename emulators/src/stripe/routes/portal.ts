// POST /v1/billing_portal/sessions and the hosted portal (/portal/:id: cancel at period end,
// reactivate, cancel now, switch plan).
import { parseForm } from '../form.js';
import { noSuch } from '../objects.js';
import { portalPage } from '../pages.js';
import type { StripeStore } from '../store.js';
import type { Price } from '../store/prices.js';
import { allowOnly, requiredStr, str, unsupported, url } from '../params.js';
import { decode, page, respond, routeIn, withPageErrors, type Route } from './route.js';

export const portalRoutes: Route[] = [];
const route = routeIn(portalRoutes);

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

const NOTICES: Record<string, string> = {
  cancel: 'Your plan will be canceled at the end of the billing period.',
  reactivate: 'Your plan will renew as usual.',
  'cancel-now': 'Your plan has been canceled.',
  switch: 'Your plan has been updated.',
};

function productName(store: StripeStore, price: Price): string {
  return store.products.get(price.product as string)?.name ?? price.nickname ?? price.id;
}

export function portalPageRoute(
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
