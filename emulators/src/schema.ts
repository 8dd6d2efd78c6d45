// Makes a value that conforms to a JSON Schema, the way a model under OpenRouter's structured
// outputs answers: every string follows the prompt, varies per array index and respects its
// length limits. Covers the subset that zod's toJSONSchema and hand-written schemas use: object
// (properties, required, additionalProperties), array (items, prefixItems, minItems, maxItems),
// string (minLength, maxLength, enum, const, common formats), integer and number (inclusive and
// exclusive bounds, multipleOf), boolean, null, type arrays, anyOf/oneOf/allOf and local $refs.
// `pattern` is not honoured (no regex inversion here).
import { capitalize, fitLength, singular, wordsAt, type Topic } from './topic.js';

type JsonSchema = { [key: string]: unknown };

interface Walk {
  root: JsonSchema;
  topic: Topic;
  /** Property name of the value being built. */
  key: string;
  /** Singular of the nearest array's property ("posts" → "post"), used to name strings. */
  label: string;
  index: number;
  /** Sum of the enclosing array indexes, so nested lists (a post's hashtags) differ per post. */
  offset: number;
  depth: number;
}

const asSchema = (value: unknown): JsonSchema | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;

/** Follows a local JSON pointer such as "#/$defs/Post" (remote refs are not supported). */
function resolve(schema: JsonSchema, root: JsonSchema, seen = 0): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#') || seen > 16) return schema;
  let target: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    target = asSchema(target)?.[part];
  }
  const found = asSchema(target);
  return found ? resolve({ ...found, ...withoutRef(schema) }, root, seen + 1) : schema;
}

function withoutRef(schema: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = schema;
  return rest;
}

/** allOf is merged shallowly: enough for "base object + extra properties" compositions. */
function mergeAllOf(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const parts = (schema.allOf as unknown[]).map((p) => resolve(asSchema(p) ?? {}, root));
  const { allOf: _allOf, ...rest } = schema;
  const merged: JsonSchema = { ...rest };
  for (const part of parts) {
    Object.assign(merged, part, {
      properties: { ...asSchema(merged.properties), ...asSchema(part.properties) },
      required: [...((merged.required as unknown[]) ?? []), ...((part.required as unknown[]) ?? [])],
    });
  }
  return merged;
}

function isNullOnly(schema: JsonSchema): boolean {
  return schema.type === 'null' || (Array.isArray(schema.enum) && schema.enum.every((v) => v === null));
}

function typeOf(schema: JsonSchema): string {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type.find((t) => t !== 'null') as string | undefined) ?? 'null';
  if (schema.properties || schema.additionalProperties) return 'object';
  if (schema.items || schema.prefixItems) return 'array';
  return 'string';
}

function generate(input: unknown, walk: Walk): unknown {
  if (input === false) return null;
  let schema = resolve(asSchema(input) ?? {}, walk.root);
  if (Array.isArray(schema.allOf)) schema = mergeAllOf(schema, walk.root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const options = schema.enum.filter((v) => v !== null);
    return options.length > 0 ? options[walk.index % options.length] : null;
  }
  const branches = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) {
    // A nullable field (anyOf [T, null]) gets a real T: models fill fields they can fill.
    const chosen = branches.find((b) => !isNullOnly(resolve(asSchema(b) ?? {}, walk.root))) ?? branches[0];
    return generate(chosen, walk);
  }
  switch (typeOf(schema)) {
    case 'null':
      return null;
    case 'boolean':
      return walk.index % 2 === 0;
    case 'integer':
      return numberFor(schema, walk.index, true);
    case 'number':
      return numberFor(schema, walk.index, false);
    case 'object':
      return objectFor(schema, walk);
    case 'array':
      return arrayFor(schema, walk);
    default:
      return stringFor(schema, walk);
  }
}

function objectFor(schema: JsonSchema, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (walk.depth > 12) return out; // a recursive schema: stop (required fields may be missing)
  for (const [key, property] of Object.entries(asSchema(schema.properties) ?? {})) {
    out[key] = generate(property, { ...walk, key, depth: walk.depth + 1 });
  }
  return out;
}

function arrayFor(schema: JsonSchema, walk: Walk): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Number.POSITIVE_INFINITY;
  const label = singular(walk.key) || walk.label;
  // "Write 5 posts" with a `posts` array gives 5, like a model that read the prompt.
  const wanted = walk.topic.counts.get(label) ?? 3;
  const length = walk.depth > 12 ? min : Math.max(min, Math.min(max, wanted));
  const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : [];
  return Array.from({ length }, (_, index) =>
    generate(index < prefix.length ? prefix[index] : schema.items, {
      ...walk,
      label,
      index,
      offset: walk.offset + walk.index,
      depth: walk.depth + 1,
    }),
  );
}

function numberFor(schema: JsonSchema, index: number, integer: boolean): number {
  const num = (key: string) => (typeof schema[key] === 'number' ? schema[key] : undefined);
  const exMin = num('exclusiveMinimum');
  const exMax = num('exclusiveMaximum');
  let lo = num('minimum') ?? (exMin === undefined ? undefined : integer ? Math.floor(exMin) + 1 : exMin);
  let hi = num('maximum') ?? (exMax === undefined ? undefined : integer ? Math.ceil(exMax) - 1 : exMax);
  if (lo !== undefined && exMin !== undefined && integer) lo = Math.max(lo, Math.floor(exMin) + 1);
  if (hi !== undefined && exMax !== undefined && integer) hi = Math.min(hi, Math.ceil(exMax) - 1);
  let value: number;
  if (lo !== undefined && hi !== undefined) {
    // Strictly inside the range for numbers (exclusive bounds), cycling through it for integers.
    value = integer ? lo + (index % (hi - lo + 1)) : lo + ((hi - lo) * ((index % 4) + 1)) / 5;
  } else if (lo !== undefined) value = lo + index + (integer || exMin === undefined ? 0 : 0.5);
  else if (hi !== undefined) value = Math.min(hi - (integer || exMax === undefined ? 0 : 0.5), index + 1);
  else value = index + 1;
  const step = num('multipleOf');
  if (step && step > 0) {
    const up = Math.ceil(value / step) * step;
    value = hi !== undefined && up > hi ? Math.floor(value / step) * step : up;
  }
  return integer ? Math.round(value) : value;
}

const FORMATS: Record<string, (slug: string, n: number) => string> = {
  'date-time': (_s, n) => new Date(Date.UTC(2026, 0, n, 9, 0, 0)).toISOString(),
  date: (_s, n) => new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10),
  time: () => '09:00:00Z',
  email: (slug, n) => `${slug}${n}@example.com`,
  uri: (slug, n) => `https://example.com/${slug}-${n}`,
  url: (slug, n) => `https://example.com/${slug}-${n}`,
  uuid: (_s, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
};

function stringFor(schema: JsonSchema, walk: Walk): string {
  const n = walk.index + 1;
  // The subject stays the prompt's first words; what follows varies with the index.
  const words = wordsAt(walk.topic, walk.offset + walk.index, 4);
  const phrase = wordsAt(walk.topic, 0, 3).join(' ');
  const key = walk.key.toLowerCase();
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  const label = capitalize(walk.label || singular(walk.key) || 'item');
  let text: string;
  if (format) text = format(words[0]!.replace(/[^a-z0-9]/g, '') || 'item', n);
  else if (/hashtag|tags?$/.test(key)) text = `#${words[0]!.replace(/[^\p{L}\p{N}]/gu, '')}`;
  else if (/emoji/.test(key)) text = ['✨', '🚀', '📣', '🎉'][walk.index % 4]!;
  else if (/title|headline|subject|name|hook/.test(key)) text = `${label} ${n}: ${words.map(capitalize).join(' ')}`;
  else if (/cta|call_?to_?action/.test(key)) text = `Discover ${phrase} today`;
  else {
    const rest = wordsAt(walk.topic, walk.offset + walk.index + 3, 4).join(', ');
    text = `${label} ${n} about ${phrase}: fresh ideas on ${rest}.`;
  }
  return fitLength(text, walk.topic, min, max);
}

/** A value conforming to `schema`, with strings drawn from `topic`. */
export function sampleFromSchema(schema: unknown, topic: Topic): unknown {
  const root = asSchema(schema) ?? {};
  return generate(root, { root, topic, key: '', label: '', index: 0, offset: 0, depth: 0 });
}
