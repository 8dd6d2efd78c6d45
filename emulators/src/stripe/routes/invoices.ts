// GET /v1/invoices(/:id): list (by customer, subscription, status) and retrieve.
import { allowOnly, LIST_PARAMS, listParams, str } from '../params.js';
import { respond, routeIn, type Route } from './route.js';

export const invoiceRoutes: Route[] = [];
const route = routeIn(invoiceRoutes);

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
