// What every Stripe object of the emulator shares, in the JSON shapes of the current API
// (2026-10-28.endive, what `stripe` 23 pins): the API version, Stripe's error shape, id prefixes,
// lists and metadata. The objects themselves are declared next to what changes them, one Stripe
// resource a file, in store/ (prices, customers, checkout, subscriptions, invoices, portal, events).
import { randomBytes } from 'node:crypto';

/** The API version `stripe` 23 sends; events carry it as `api_version`. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

export type Metadata = Record<string, string>;

// ---------------------------------------------------------------------------------------------
// Errors

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    message: string;
    code?: string;
    param?: string;
    decline_code?: string;
    doc_url?: string;
  };
}

function defaultType(status: number): StripeErrorType {
  if (status === 402) return 'card_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

function defaultCode(status: number): string | undefined {
  if (status === 402) return 'card_declined';
  if (status === 404) return 'resource_missing';
  if (status === 429) return 'rate_limit';
  return undefined;
}

/** Stripe's error body: `{ error: { type, code?, message, param?, doc_url? } }`. */
export function stripeErrorBody(
  status: number,
  message: string,
  extra: { type?: StripeErrorType; code?: string; param?: string } = {},
): StripeErrorBody {
  const type = extra.type ?? defaultType(status);
  const code = extra.code ?? (extra.type === undefined ? defaultCode(status) : undefined);
  return {
    error: {
      type,
      message,
      ...(code === undefined
        ? {}
        : { code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` }),
      ...(status === 402 ? { decline_code: 'generic_decline' } : {}),
      ...(extra.param === undefined ? {} : { param: extra.param }),
    },
  };
}

/** Thrown by the store and the routes; the server turns it into Stripe's error response. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { type?: StripeErrorType; code?: string; param?: string } = {},
  ) {
    super(message);
  }

  body(): StripeErrorBody {
    return stripeErrorBody(this.status, this.message, this.extra);
  }
}

/**
 * `resource_missing`, worded as Stripe words it: "No such customer: 'cus_123'"; a 404 for the id in
 * the path, a 400 for an id passed as a parameter (`customer`, `line_items[0][price]`).
 */
export function noSuch(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(param === 'id' ? 404 : 400, `No such ${kind}: '${id}'`, {
    code: 'resource_missing',
    param,
  });
}

// ---------------------------------------------------------------------------------------------
// Ids and time

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** `cus_…`, `sub_…`, `evt_…`: Stripe's prefix and 24 base-62 characters. */
export const newId = (prefix: string, length = 24) => `${prefix}_${randomToken(length)}`;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The same day of month `months` later (clamped to the month's last day), time of day kept, in UTC. */
export function addMonths(anchor: number, months: number): number {
  const date = new Date(anchor * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  const ms = Date.UTC(year, month, day, date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds());
  return Math.floor(ms / 1000);
}

// ---------------------------------------------------------------------------------------------
// Lists and metadata

export interface StripeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
  total_count?: number;
}

export function listOf<T>(data: T[], url: string, hasMore = false): StripeList<T> {
  return { object: 'list', data, has_more: hasMore, url };
}

export const clone = <T>(value: T): T => structuredClone(value);

/** Stripe's metadata update: null (the form's `metadata=`) clears all keys; a key set to '' is removed. */
export function applyMetadata(current: Metadata, update: Metadata | null | undefined): Metadata {
  if (update === undefined) return current;
  if (update === null) return {};
  const next = { ...current };
  for (const [key, value] of Object.entries(update)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** The top-level fields of `before` whose values changed, with their old values (Stripe's previous_attributes). */
export function changedFields(before: object, after: object): Record<string, unknown> | undefined {
  const previous: Record<string, unknown> = {};
  const old = before as Record<string, unknown>;
  const now = after as Record<string, unknown>;
  for (const key of Object.keys(now)) {
    if (JSON.stringify(old[key]) !== JSON.stringify(now[key])) previous[key] = old[key] ?? null;
  }
  return Object.keys(previous).length === 0 ? undefined : previous;
}
