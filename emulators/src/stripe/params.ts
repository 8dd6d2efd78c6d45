// Reading and validating the parsed form parameters of an API request, with Stripe's messages:
// "Missing required param: x.", "Received unknown parameter: x", "Invalid boolean: x", ...
import type { FormObject, FormValue } from './form.js';
import { StripeApiError, type Metadata } from './objects.js';
import type { ListParams } from './store.js';

const invalid = (param: string, message: string) => new StripeApiError(400, message, { param });

/** Rejects top-level parameters outside `allowed` (Stripe answers 400 `parameter_unknown`). */
export function allowOnly(params: FormObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw new StripeApiError(400, `Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
    }
  }
}

/** Rejects real Stripe parameters whose behaviour the emulator does not model. */
export function unsupported(params: FormObject, names: readonly string[], prefix = ''): void {
  for (const key of names) {
    if (params[key] !== undefined) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw invalid(name, `${name} is not supported by the Stripe emulator.`);
    }
  }
}

export function missing(param: string): StripeApiError {
  return new StripeApiError(400, `Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function str(params: FormObject, name: string, label = name, max = 5000): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(label, `Invalid string: ${label} must be a string`);
  if (value.length > max) throw invalid(label, `Invalid string: ${label} must be at most ${max} characters`);
  return value;
}

export function requiredStr(params: FormObject, name: string, label = name): string {
  const value = str(params, name, label);
  if (value === undefined || value === '') throw missing(label);
  return value;
}

/** '' (sent by the SDK for `null`) unsets the field. */
export function nullableStr(params: FormObject, name: string, label = name): string | null | undefined {
  const value = str(params, name, label);
  return value === '' ? null : value;
}

export function email(params: FormObject, name: string, label = name): string | null | undefined {
  const value = nullableStr(params, name, label);
  if (typeof value === 'string' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw invalid(label, `Invalid email address: ${value}`);
  }
  return value;
}

export function url(params: FormObject, name: string, label = name): string | undefined {
  const value = str(params, name, label, 5000);
  if (value === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalid(label, `Not a valid URL`);
  }
  return value;
}

export function bool(params: FormObject, name: string, label = name): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(label, `Invalid boolean: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

export function int(params: FormObject, name: string, min: number, max: number, label = name): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number))
    throw invalid(label, `Invalid integer: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (number < min || number > max) {
    throw invalid(label, `Invalid ${label}: must be between ${min} and ${max}`);
  }
  return number;
}

export function hash(params: FormObject, name: string, label = name): FormObject | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(label, `Invalid ${label}: must be a hash`);
  return value;
}

export function array(params: FormObject, name: string, label = name): FormValue[] | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (!Array.isArray(value)) throw invalid(label, `Invalid array: ${label} must be an array`);
  return value;
}

/** Stripe's metadata rules: up to 50 keys of at most 40 characters, string values of at most 500. */
export function metadata(params: FormObject, name = 'metadata', label = name): Metadata | null | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === '') return null; // `metadata=`: unset every key
  if (typeof value === 'string') throw invalid(label, `Invalid ${label}: must be a hash`);
  // Keys that are all digits were read as an array index; they are plain keys here.
  const entries: [string, FormValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  if (entries.length > 50) throw invalid(label, `Invalid ${label}: at most 50 keys are allowed`);
  const out: Metadata = {};
  for (const [key, v] of entries) {
    if (key.length > 40) throw invalid(`${label}[${key}]`, `Metadata keys can have up to 40 characters.`);
    if (typeof v !== 'string') throw invalid(`${label}[${key}]`, `Invalid ${label}[${key}]: must be a string`);
    if (v.length > 500) throw invalid(`${label}[${key}]`, `Metadata values can have up to 500 characters.`);
    out[key] = v;
  }
  return out;
}

/** `expand[]=a&expand[]=b` (or a single `expand=a`). */
export function expandOf(params: FormObject): string[] {
  const value = params.expand;
  if (value === undefined || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string' || v === '') throw invalid('expand', 'Invalid expand: must be an array of strings');
    return v;
  });
}

export function listParams(params: FormObject): ListParams {
  return {
    limit: int(params, 'limit', 1, 100),
    startingAfter: str(params, 'starting_after'),
    endingBefore: str(params, 'ending_before'),
  };
}

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;
