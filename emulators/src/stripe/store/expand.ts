// What every API answer may ask for: `expand[]` (ids replaced by the objects they name) and
// list pagination (`limit`, `starting_after`, `ending_before`, newest first).
import { clone, listOf, noSuch, StripeApiError, type StripeList } from '../objects.js';
import { lineItemsOf } from './checkout.js';
import type { StripeState } from './state.js';

export interface ListParams {
  limit?: number;
  startingAfter?: string;
  endingBefore?: string;
}

/**
 * A copy of `value` with the `expand[]` paths replaced by the objects they name
 * (`subscription`, `customer`, `latest_invoice.subscription`, `data.customer` on lists).
 */
export function expand<T>(state: StripeState, value: T, paths: string[]): T {
  const out = clone(value);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4) {
      throw new StripeApiError(400, `You cannot expand more than 4 levels of a property. Property: ${path}`, {
        param: 'expand',
      });
    }
    expandAt(state, out, segments, path);
  }
  return out;
}

function expandAt(state: StripeState, container: unknown, segments: string[], path: string): void {
  if (segments.length === 0 || container === null || container === undefined) return;
  if (Array.isArray(container)) {
    for (const element of container) expandAt(state, element, segments, path);
    return;
  }
  const cannot = () => new StripeApiError(400, `This property cannot be expanded (${path}).`, { param: 'expand' });
  if (typeof container !== 'object') throw cannot();
  const record = container as Record<string, unknown>;
  const [key, ...rest] = segments as [string, ...string[]];
  if (!(key in record)) {
    if (record.object === 'checkout.session' && key === 'line_items') {
      const id = record.id as string;
      record.line_items = listOf(clone(lineItemsOf(state, id)), `/v1/checkout/sessions/${id}/line_items`);
    } else throw cannot();
  }
  const value = record[key];
  if (typeof value === 'string') {
    const found = state.lookup(value);
    if (!found) throw cannot();
    record[key] = clone(found);
  } else if (value !== null && typeof value !== 'object') {
    throw cannot();
  }
  expandAt(state, record[key], rest, path);
}

/** Newest first, with Stripe's `limit` / `starting_after` / `ending_before` cursors. */
export function list<T extends { id: string }>(all: T[], params: ListParams, url: string): StripeList<T> {
  const limit = params.limit ?? 10;
  const newestFirst = [...all].reverse();
  let start = 0;
  let end = newestFirst.length;
  if (params.startingAfter !== undefined) {
    const at = newestFirst.findIndex((o) => o.id === params.startingAfter);
    if (at < 0) throw noSuch('object', params.startingAfter, 'starting_after');
    start = at + 1;
  } else if (params.endingBefore !== undefined) {
    const at = newestFirst.findIndex((o) => o.id === params.endingBefore);
    if (at < 0) throw noSuch('object', params.endingBefore, 'ending_before');
    end = at;
    start = Math.max(0, end - limit);
  }
  const page = newestFirst.slice(start, Math.min(end, start + limit));
  const hasMore = params.endingBefore !== undefined ? start > 0 : start + limit < end;
  return listOf(page, url, hasMore);
}
