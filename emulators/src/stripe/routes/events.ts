// GET /v1/events(/:id): list (by type) and retrieve.
import { allowOnly, array, LIST_PARAMS, listParams, str } from '../params.js';
import { respond, routeIn, type Route } from './route.js';

export const eventRoutes: Route[] = [];
const route = routeIn(eventRoutes);

route('GET', '/v1/events', (store, req) => {
  const p = req.params;
  allowOnly(p, [...LIST_PARAMS, 'type', 'types', 'created', 'delivery_success']);
  const type = str(p, 'type');
  const types = array(p, 'types')?.map(String) ?? (type === undefined ? undefined : [type]);
  return respond(store, req, store.listEvents({ ...listParams(p), types }));
});

route('GET', '/v1/events/:id', (store, req, id) => {
  allowOnly(req.params, ['expand']);
  return respond(store, req, store.event(id));
});
