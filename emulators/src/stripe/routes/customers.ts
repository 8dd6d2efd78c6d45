// /v1/customers: create, list (by email), retrieve (a deleted one as its stub), update, delete.
import type { FormObject } from '../form.js';
import { allowOnly, email, LIST_PARAMS, listParams, metadata, nullableStr, str } from '../params.js';
import { respond, routeIn, type Route } from './route.js';

export const customerRoutes: Route[] = [];
const route = routeIn(customerRoutes);

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
