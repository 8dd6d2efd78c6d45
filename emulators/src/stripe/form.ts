// Stripe's request encoding: application/x-www-form-urlencoded with bracketed keys, as the SDK
// writes them (`line_items[0][price]=price_1`, `metadata[userId]=u1`, `expand[0]=subscription`,
// `expand[]=customer`). GET and DELETE carry the same encoding in the query string.
// Parsed into plain objects; keys that are all array indices become arrays, in index order.
import { StripeApiError } from './objects.js';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const MAX_DEPTH = 10;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function segmentsOf(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0 || !key.endsWith(']')) return [key];
  const head = key.slice(0, open);
  const rest = key.slice(open);
  const segments = [head];
  const pattern = /\[([^[\]]*)\]/g;
  let consumed = 0;
  for (const match of rest.matchAll(pattern)) {
    if (match.index !== consumed) return [key]; // not a well-formed bracket chain: a literal key
    segments.push(match[1]!);
    consumed += match[0].length;
  }
  return consumed === rest.length ? segments : [key];
}

type Node = { [key: string]: Node | string };

const isIndex = (key: string) => /^(0|[1-9]\d{0,5})$/.test(key);

function finalize(node: Node | string): FormValue {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every(isIndex)) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => finalize(node[String(i)]!));
  }
  const out: FormObject = {};
  for (const key of keys) out[key] = finalize(node[key]!);
  return out;
}

/** Parses a form body or query string into nested objects and arrays; throws a Stripe 400 on conflicts. */
export function parseForm(text: string): FormObject {
  const root = Object.create(null) as Node; // no prototype: `toString[x]=1` is just a key
  for (const [key, value] of new URLSearchParams(text)) {
    const segments = segmentsOf(key);
    if (segments.length > MAX_DEPTH) throw new StripeApiError(400, `Invalid parameter: ${key} is nested too deeply`);
    let node: Node = root;
    for (let i = 0; i < segments.length; i++) {
      let segment = segments[i]!;
      if (segment === '') segment = String(Object.keys(node).filter(isIndex).length); // `expand[]`
      if (FORBIDDEN.has(segment)) throw new StripeApiError(400, `Invalid parameter name: ${key}`);
      const last = i === segments.length - 1;
      const existing = node[segment];
      if (last) {
        if (typeof existing === 'object')
          throw new StripeApiError(400, `Invalid ${key}: expected a hash`, { param: key });
        node[segment] = value;
      } else {
        if (typeof existing === 'string') {
          // `metadata=` (empty: "unset all") followed by `metadata[k]=v` replaces the empty value.
          if (existing !== '') throw new StripeApiError(400, `Invalid ${key}: not a hash`, { param: key });
        }
        if (typeof existing !== 'object') node[segment] = Object.create(null) as Node;
        node = node[segment] as Node;
      }
    }
  }
  return finalize(root) as FormObject;
}

/** A stable text of the parameters, for comparing two requests made with one idempotency key. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
