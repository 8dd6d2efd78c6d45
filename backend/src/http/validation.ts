// Bad input at the edge becomes one 400 VALIDATION_ERROR naming each offending field, in words a
// person reads ("name is required", "numberOfPosts must be at most 10"), never the parser's own
// ("expected string, received undefined"). What no schema can be trusted to catch is checked here
// once, for every route: text Postgres cannot store (a NUL byte; an unpaired surrogate, which it
// would store as U+FFFD) and structures nested deeper than any request needs.
import { z } from 'zod';
import { AppError } from '../lib/errors.js';

export type Location = 'body' | 'query' | 'params';

interface Issue {
  path: string;
  message: string;
  fields?: string[];
}

/** Echoed input (a field name, a path) is cut to this many characters. */
export const ECHO_MAX_CHARS = 100;
/** No request body or query needs more levels than this (the deepest schema has four). */
export const MAX_DEPTH = 16;

/** `text` cut to `max` characters (never inside a surrogate pair), with an ellipsis. */
export function capped(text: string, max = ECHO_MAX_CHARS): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

const joinPath = (location: string, path: readonly PropertyKey[]) =>
  [location, ...path.map((p) => capped(String(p), 40))].join('.');

/** The name a message uses: the last named segment of the path ("name", "limit"). */
function fieldName(path: readonly PropertyKey[] | undefined, fallback = 'the value'): string {
  const named = [...(path ?? [])].reverse().find((p) => typeof p === 'string');
  return named === undefined ? fallback : capped(String(named), 40);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  date: 'a date',
  null: 'null',
};

const LOCAL_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/;
const FORMAT_WORDS: Record<string, string> = {
  uuid: 'must be a UUID',
  guid: 'must be a UUID',
  url: 'must be a URL',
  email: 'must be an email address',
  date: 'must be a date (YYYY-MM-DD)',
  datetime: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-22T09:30:00Z',
};

const plural = (n: number | bigint, one: string) => `${n} ${one}${Number(n) === 1 ? '' : 's'}`;

/**
 * Zod's messages in a person's words. Passed to every parse, it applies only where a schema
 * gave no message of its own.
 */
const humanError: z.core.$ZodErrorMap = (issue) => {
  const field = fieldName(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return `${field} is required`;
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return `${field} must be ${expected}${issue.input === null ? ', not null' : ''}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `${field} must be at most ${plural(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${field} must have at most ${plural(max, 'item')}`;
      if (issue.origin === 'int' && max === Number.MAX_SAFE_INTEGER) return `${field} is too large`;
      return issue.inclusive === false ? `${field} must be less than ${max}` : `${field} must be at most ${max}`;
    }
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string') {
        return Number(min) === 1
          ? `${field} must not be empty`
          : `${field} must be at least ${plural(min, 'character')}`;
      }
      if (issue.origin === 'array' || issue.origin === 'set')
        return `${field} must have at least ${plural(min, 'item')}`;
      if (issue.origin === 'int' && min === Number.MIN_SAFE_INTEGER) return `${field} is too small`;
      return issue.inclusive === false ? `${field} must be more than ${min}` : `${field} must be at least ${min}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      if (values.length === 1) return `${field} must be ${capped(values[0]!)}`;
      const shown = values.length > 12 ? [...values.slice(0, 12), '…'] : values;
      return `${field} must be one of ${shown.join(', ')}`;
    }
    case 'invalid_format': {
      if (issue.format === 'datetime' && typeof issue.input === 'string' && LOCAL_DATETIME.test(issue.input)) {
        return `${field} needs a time zone offset (Z or ±hh:mm), e.g. 2026-11-22T09:30:00Z`;
      }
      if (issue.format === 'regex') return `${field} is not in the expected format`;
      return `${field} ${FORMAT_WORDS[issue.format] ?? `must be a valid ${issue.format}`}`;
    }
    case 'not_multiple_of':
      return `${field} must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unknown field(s): ${issue.keys.map((k) => capped(k, 40)).join(', ')}`;
    case 'invalid_union':
      return `${field} does not match any accepted shape`;
    case 'invalid_key':
      return `${field} has a key that is not allowed`;
    case 'invalid_element':
      return `${field} has an item that is not allowed`;
    default:
      return `${field} is not valid`;
  }
};

/** The same field's safe-integer bound next to the schema's own bound says nothing more. */
function withoutRedundant(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const key = (i: z.core.$ZodIssue) => JSON.stringify(i.path.map(String));
  const isSafeBound = (i: z.core.$ZodIssue) =>
    (i.code === 'too_big' || i.code === 'too_small') &&
    i.origin === 'int' &&
    Math.abs(Number(i.code === 'too_big' ? i.maximum : i.minimum)) === Number.MAX_SAFE_INTEGER;
  return issues.filter(
    (issue) =>
      !isSafeBound(issue) ||
      !issues.some((other) => other !== issue && key(other) === key(issue) && !isSafeBound(other)),
  );
}

export function invalid(issues: Issue[], fallback = 'Invalid request.'): AppError {
  const shown = issues.slice(0, 20);
  const first = shown[0];
  const summary = first ? `Invalid request. ${first.path}: ${first.message}` : fallback;
  return new AppError('VALIDATION_ERROR', summary, { issues: shown });
}

export function validationError(location: Location, error: z.ZodError): AppError {
  const issues = withoutRedundant(error.issues).map((issue): Issue => {
    const path = joinPath(location, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.slice(0, 10);
      return { path, message: issue.message, fields: keys.map((k) => `${path}.${capped(k, 40)}`) };
    }
    return { path, message: issue.message };
  });
  return invalid(issues, `Invalid ${location}.`);
}

export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value, { error: humanError });
  if (!result.success) throw validationError(location, result.error);
  return result.data;
}

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000), which is not allowed';
  if (!text.isWellFormed()) return 'contains an unpaired UTF-16 surrogate: send well-formed Unicode text';
  return undefined;
}

/**
 * Refuses, for every field of `value` (keys too), text that Postgres cannot store as sent, and
 * nesting deeper than MAX_DEPTH. Iterative, so no input can overflow the stack.
 */
export function assertStorableText(value: unknown, location: Location): void {
  const issues: Issue[] = [];
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value, path: [] }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) issues.push({ path: joinPath(location, path), message: `${fieldName(path, location)} ${problem}` });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_DEPTH) {
      issues.push({
        path: joinPath(location, path),
        message: `${fieldName(path, location)} is nested more than ${MAX_DEPTH} levels deep`,
      });
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      const problem = textProblem(key);
      if (problem) {
        issues.push({ path: joinPath(location, path), message: `a field name ${problem}` });
        continue;
      }
      stack.push({ value: child, path: [...path, Array.isArray(v) ? Number(key) : key] });
    }
  }
  if (issues.length > 0) throw invalid(issues);
}

/** The years a timestamp may have: Postgres stores no year 0, nor JavaScript's year 275760. */
export const YEARS = { min: 1970, max: 9999 } as const;

/** ISO-8601 input with a zone (Z or an offset), in YEARS (UTC), as a Date. */
export const instant = z.iso
  .datetime({ offset: true })
  .refine(
    (s) => {
      const year = new Date(s).getUTCFullYear();
      return year >= YEARS.min && year <= YEARS.max;
    },
    { error: (issue) => `${fieldName(issue.path)} must be a date between the years ${YEARS.min} and ${YEARS.max}` },
  )
  .transform((s) => new Date(s));

/** True for a Date Postgres can store and this API accepts (see YEARS). */
export function inYears(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= YEARS.min && year <= YEARS.max;
}
