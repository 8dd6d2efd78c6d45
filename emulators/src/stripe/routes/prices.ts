// GET /v1/prices(/:id) and /v1/products/:id: the prices are fixed at start.
import { allowOnly, array, bool, LIST_PARAMS, listParams, str } from '../params.js';
import { respond, routeIn, type Route } from './route.js';

export const priceRoutes: Route[] = [];
const route = routeIn(priceRoutes);

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
