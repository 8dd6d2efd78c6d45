// What the route files share: a /v1 route (method, path with `:id`, handler) and the answer with
// the request's `expand[]` applied; and for the hosted pages, the page answer, a message page, a
// lenient path decoder and StripeApiError shown as a page.
import type { FormObject } from '../form.js';
import { StripeApiError } from '../objects.js';
import { messagePage } from '../pages.js';
import { expandOf } from '../params.js';
import type { StripeStore } from '../store.js';

export interface ApiRequest {
  method: string;
  path: string;
  params: FormObject;
  /** The origin the client reached us at, for the URLs we hand back (session.url, portal.url). */
  origin: string;
}

export type Handler = (store: StripeStore, req: ApiRequest, id: string) => unknown;

export interface Route {
  method: string;
  pattern: RegExp;
  handle: Handler;
}

const ID = '([^/]+)';

/** An adder of routes to `routes`: `route('GET', '/v1/prices/:id', handler)`. */
export const routeIn = (routes: Route[]) => (method: string, path: string, handle: Handler) => {
  const source = path.replace(':id', ID);
  routes.push({ method, pattern: new RegExp(`^${source}$`), handle });
};

/** The object with the request's `expand[]` applied. */
export const respond = (store: StripeStore, req: ApiRequest, value: unknown) =>
  store.expand(value, expandOf(req.params));

// ---------------------------------------------------------------------------------------------
// Hosted pages (no API key: a person's browser opens them)

export type PageResult = { status: number; html: string } | { redirect: string };

export const page = (
  status: number,
  title: string,
  message: string,
  link?: { href: string; text: string },
): PageResult => ({
  status,
  html: messagePage(title, message, link),
});

/** A path segment decoded; a malformed escape is kept as written (and then matches no id). */
export function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function withPageErrors(run: () => PageResult): PageResult {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    return page(err.status, err.status === 404 ? 'Not found' : 'Something went wrong', err.message);
  }
}
