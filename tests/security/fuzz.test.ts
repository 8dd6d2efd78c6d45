// Schema-driven fuzzing of every operation of the OpenAPI document the app serves (fast-check):
// path, query and body values drawn from each operation's own schemas, mixed with what breaks
// parsers and databases (NUL bytes, unpaired surrogates, malformed percent-encodings, extreme and
// offset-less dates, huge and non-decimal numbers, deep objects, long strings), sent with wrong
// content types, broken content encodings, bad or missing credentials and the wrong method.
// For every answer: no 5xx, no configured secret or internal address in the body or headers, and
// when it is a refusal (4xx), no row of any table changed.
//
//   FUZZ_RUNS=100000 npx vitest run tests/security/fuzz.test.ts    (default 2,500 cases)
//   FUZZ_SEED=123 …                                                  (replay a run)
//   FUZZ_REPORT=/tmp/fuzz.txt …                                      (every failure, one a line)
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startAllEmulators,
  startStripeEmulator,
  startTelegramEmulator,
  type AllEmulators,
  type StripeEmulator,
  type TelegramEmulator,
} from '../../emulators/src/index.ts';
import { LOCAL_BOT_TOKEN } from '../../backend/src/integrations/telegram/client.ts';
import type { Db } from '../../backend/src/lib/db.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client } from '../helpers/http.ts';
import { operations, resolveSchema, servedDocument, type Operation } from './owasp-helpers.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_500);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
/** One request may take this long before it counts as hanging. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Bytes of an answer that are read and searched (the OpenAPI document is ~250 kB). */
const READ_MAX_BYTES = 2 * 1024 * 1024;

let app: TestApp;
let emulators: AllEmulators;
let stripe: StripeEmulator;
let telegram: TelegramEmulator;
let ops: Operation[];
let doc: any;
let token: string;
/** Ids the fuzz user owns, so that schema-valid requests reach the handlers, not just a 404. */
const own: Record<string, string[]> = { brand: [], post: [], job: [], voice: [] };
let secrets: string[];
let allowedHosts: Set<string>;
let snapshotSql: string;

// ---------------------------------------------------------------------------------------------
// Values that break things, by kind.

const NASTY_TEXT = [
  '',
  ' ',
  ' \t\n ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '\udfff\ud800',
  '😀\ud83d',
  '%00',
  '%E0%A4%A',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}',
  '\u202e\u0301\ufeff',
  'Z̷̛͎a̸l̵g̴o',
  'https://127.0.0.1:6379/',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  '__proto__',
  'x'.repeat(5_001),
];
const NASTY_DATES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59-01:00',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-11-22T09:30:00',
  '2026-11-22',
  '2026-11-22T25:00:00Z',
  'now',
];
const NASTY_NUMBERS = [
  0,
  -1,
  0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  -(2 ** 31) - 1,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
];
const NASTY_NUMBER_TEXT = [
  '0x10',
  '1e1',
  '1e400',
  ' 5',
  '5 ',
  '-0',
  'NaN',
  'Infinity',
  '99999999999999999999',
  '2.5',
  '+3',
];

/** Text Postgres cannot store as sent: a NUL byte or an unpaired surrogate, alone or inside words. */
const unstorableText = fc
  .tuple(fc.constantFrom('', 'Fresh rye ', 'name'), fc.constantFrom('\u0000', '\ud800', '\udc00', '\udbff\u0041'))
  .map(([words, bad]) => `${words}${bad}${words}`);
const nastyText = fc.oneof(
  { weight: 2, arbitrary: unstorableText },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_TEXT, ...NASTY_DATES, ...NASTY_NUMBER_TEXT) },
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyText },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, [], {}, [null], JSON.parse('{"__proto__":{"admin":true}}') as unknown),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** `{"a":{"a":…}}` nested `depth` levels: as text, since the parser is what is being tested. */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// Values drawn from a JSON Schema (the document's own), with a share of nasty ones at every level.

/**
 * A value of `schema`. `nasty` is the share (0..1) of values, at every level, replaced by one from
 * nastyValue: 0 keeps to the schema (those reach the handlers), more probes the edge.
 */
function fromSchema(schema: any, nasty: number, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveSchema(doc, schema) ?? {};
  const valid = validFromSchema(s, nasty, depth);
  if (nasty === 0) return valid;
  return fc.oneof(
    { weight: Math.round(100 * (1 - nasty)), arbitrary: valid },
    { weight: Math.round(100 * nasty), arbitrary: nastyValue },
  );
}

function validFromSchema(s: any, nasty: number, depth: number): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) return fc.oneof(...s[key].map((sub) => fromSchema(sub, nasty, depth + 1)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return fromSchema(s.allOf[0], nasty, depth + 1);
  const type = Array.isArray(s.type) ? s.type : [s.type];
  if (type.length > 1) return fc.oneof(...type.map((t: string) => validFromSchema({ ...s, type: t }, nasty, depth)));
  switch (type[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.minimum ?? -1000;
      const max = s.maximum ?? 1000;
      const inRange = fc.integer({ min, max });
      return nasty === 0 ? inRange : fc.oneof(inRange, fc.constantFrom(min - 1, max + 1));
    }
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'array':
      return fc.array(fromSchema(s.items ?? {}, nasty, depth + 1), {
        minLength: Math.min(s.minItems ?? 0, 6),
        maxLength: Math.min(s.maxItems ?? 4, 6),
      });
    case 'object':
      return objectFromSchema(s, nasty, depth);
    case 'string':
      return stringFromSchema(s, nasty);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFromSchema(s: any, nasty: number): fc.Arbitrary<string> {
  const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  const edge = <T>(valid: fc.Arbitrary<T>, ...odd: Array<fc.Arbitrary<T>>) =>
    nasty === 0 ? valid : fc.oneof(valid, ...odd);
  switch (s.format) {
    case 'date-time':
      return edge(
        fc.integer({ min: 0, max: 300 }).map(days),
        fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom(...NASTY_DATES),
      );
    case 'date':
      return edge(
        fc.integer({ min: 1, max: 60 }).map((n) => days(n).slice(0, 10)),
        fc.constantFrom('0000-01-01', '9999-12-31', '2026-02-30', '26-11-22'),
      );
    case 'uuid':
      return fc.oneof(fc.uuid(), ...Object.values(own).flatMap((ids) => ids.map((id) => fc.constant(id))));
    case 'uri':
      return edge(
        fc.constantFrom('https://images.example.com/a.png', 'https://cdn.example.org/voice.mp3'),
        fc.constantFrom(
          'http://127.0.0.1:5432/',
          'https://localhost/x.mp3',
          'https://[::1]/x.png',
          'https://user:pass@example.com/a.png',
          'javascript:alert(1)',
          'https://example.com/' + 'a'.repeat(3_000),
        ),
      );
    case 'email':
      return edge(fc.emailAddress(), fc.constantFrom('a@b', '@example.com', 'a\u0000@example.com'));
    default: {
      const maxLength = Math.min(s.maxLength ?? 60, 200);
      const lengths = { minLength: Math.max(1, Math.min(s.minLength ?? 0, maxLength)), maxLength };
      const words = fc.array(fc.constantFrom('fresh', 'rye', 'bread', 'today', 'class', 'pottery', '☕', 'Ünïcödé'), {
        minLength: 3,
        maxLength: 12,
      });
      return edge(
        fc.oneof(
          words.map((w) => w.join(' ').slice(0, maxLength)),
          fc.string(lengths),
          ...matching(s.pattern),
        ),
        fc.string({ ...lengths, unit: 'grapheme' }),
        fc.constant('x'.repeat((s.maxLength ?? 100) + 1)),
      );
    }
  }
}

/** Strings a schema's pattern matches, where fast-check can read the pattern. */
function matching(pattern: string | undefined): Array<fc.Arbitrary<string>> {
  if (!pattern) return [];
  try {
    return [fc.stringMatching(new RegExp(pattern))];
  } catch {
    return [];
  }
}

function objectFromSchema(s: any, nasty: number, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth > 4 || !s.properties) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }));
  const required = new Set<string>(s.required ?? []);
  const fields = Object.fromEntries(
    Object.entries<any>(s.properties).map(([name, sub]) => [
      name,
      // A required field is there (mostly, when probing); an optional one half the time.
      fc.option(fromSchema(sub, nasty, depth + 1), {
        freq: required.has(name) ? (nasty === 0 ? 1_000_000 : 12) : 1,
        nil: undefined,
      }),
    ]),
  );
  const extra =
    nasty === 0
      ? fc.constant(undefined)
      : fc.option(fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), nastyText), nastyValue, { maxKeys: 2 }), {
          freq: 8,
          nil: undefined,
        });
  return fc.record({ fields: fc.record(fields), extra }).map(({ fields, extra }) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
    return extra ? { ...extra, ...out } : out;
  });
}

// ---------------------------------------------------------------------------------------------
// How a value travels: percent-encoding (including broken), body transports, credentials.

/** UTF-8 percent-encoding that also carries what encodeURIComponent refuses (lone surrogates, as CESU-8). */
function pct(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) out += ch;
    else if (code >= 0xd800 && code <= 0xdfff)
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}
/** A path or query segment: encoded, or raw and broken on purpose. */
const segment = (value: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => pct(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C0%AF', '%ED%A0%80', '%FF%FE', '%2e%2e', '%2F') },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(20_000), 'b'.repeat(8_000)) },
  );

type Transport =
  | 'json'
  | 'none'
  | 'text/plain'
  | 'form'
  | 'gzip'
  | 'gzip-garbage'
  | 'deflate-garbage'
  | 'br-garbage'
  | 'unknown-encoding'
  | 'invalid-json'
  | 'latin1'
  | 'deep'
  | 'huge';
const transport = fc.oneof(
  { weight: 14, arbitrary: fc.constant<Transport>('json') },
  {
    weight: 6,
    arbitrary: fc.constantFrom<Transport>(
      'none',
      'text/plain',
      'form',
      'gzip',
      'gzip-garbage',
      'deflate-garbage',
      'br-garbage',
      'unknown-encoding',
      'invalid-json',
      'latin1',
      'deep',
      'huge',
    ),
  },
);

type Credential = 'bearer' | 'lower' | 'none' | 'bare' | 'garbage' | 'basic';
const credential = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Credential>('bearer') },
  { weight: 3, arbitrary: fc.constantFrom<Credential>('lower', 'none', 'bare', 'garbage', 'basic') },
);

interface Case {
  op: Operation;
  method: string;
  path: string;
  query: string;
  body: unknown;
  transport: Transport;
  credential: Credential;
  idempotencyKey?: string;
}

/**
 * A case for `op`: clean (every value from the schemas, the user's own ids, proper JSON and
 * credentials: these reach the handlers and the database) or probing (any part bent or broken).
 */
function caseFor(op: Operation): fc.Arbitrary<Case> {
  return fc.oneof(
    { weight: 2, arbitrary: variant(op, false) },
    { weight: 2, arbitrary: mutated(op) },
    { weight: 3, arbitrary: variant(op, true) },
  );
}

/**
 * A clean case with exactly one body field or query parameter replaced by a nasty value: the
 * rest being valid, the value gets past the schema's other checks to whatever reads it next
 * (the database, a provider), which is where a NUL byte or a year-0 date used to end as a 500.
 */
function mutated(op: Operation): fc.Arbitrary<Case> {
  return fc.tuple(variant(op, false), fc.nat(), nastyValue, nastyText).map(([c, pick, value, text]) => {
    const body =
      c.body && typeof c.body === 'object' && !Array.isArray(c.body)
        ? { ...(c.body as Record<string, unknown>) }
        : undefined;
    const keys = body ? Object.keys(body) : [];
    const queryParts = c.query ? c.query.split('&') : [];
    if (keys.length > 0 && (pick % 2 === 0 || queryParts.length === 0)) {
      body![keys[pick % keys.length]!] = value;
      return { ...c, body };
    }
    if (queryParts.length > 0) {
      const i = pick % queryParts.length;
      queryParts[i] = `${queryParts[i]!.split('=')[0]}=${pct(text)}`;
      return { ...c, query: queryParts.join('&') };
    }
    return c;
  });
}

function variant(op: Operation, probing: boolean): fc.Arbitrary<Case> {
  const nasty = probing ? 0.15 : 0;
  const params: any[] = op.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const ownIds = Object.values(own).flatMap((ids) => ids.map((id) => fc.constant(id)));
  const idValue = probing
    ? fc.oneof(...ownIds, fc.uuid(), nastyText)
    : fc.oneof({ weight: 4, arbitrary: fc.oneof(...ownIds) }, { weight: 1, arbitrary: fc.uuid() });
  const encode = (value: fc.Arbitrary<unknown>) => (probing ? segment(value) : value.map((v) => pct(String(v))));
  const pathArb = fc.tuple(...pathParams.map(() => encode(idValue))).map((values) => {
    let i = 0;
    return op.path.replace(/\{[^}]+\}/g, () => values[i++]!);
  });
  const queryValue = (p: any) =>
    encode(fromSchema(p.schema, nasty).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))).map(
      (v) => `${p.name}=${v}`,
    );
  const queryArb = fc
    .tuple(
      ...queryParams.map((p) => fc.option(queryValue(p), { freq: 2, nil: undefined })),
      probing
        ? fc.option(fc.constantFrom('unknown=1', 'limit=5&limit=6', '__proto__[x]=1', 'a[b][c]=1'), {
            freq: 6,
            nil: undefined,
          })
        : fc.constant(undefined),
    )
    .map((parts) => parts.filter((p) => p !== undefined).join('&'));
  const method = probing
    ? fc.oneof(
        { weight: 12, arbitrary: fc.constant(op.method.toUpperCase()) },
        { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'TRACE') },
      )
    : fc.constant(op.method.toUpperCase());
  const idempotency = fc.option(
    probing ? fc.oneof(fc.uuid(), fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'k'.repeat(300), ' ', '')) : fc.uuid(),
    { freq: 3, nil: undefined },
  );
  const body = op.body
    ? fromSchema(op.body, nasty)
    : probing
      ? fc.option(nastyValue, { freq: 4, nil: undefined })
      : fc.constant(undefined);
  return fc
    .record({
      method,
      path: pathArb,
      query: queryArb,
      body,
      transport: probing ? transport : fc.constant<Transport>('json'),
      credential: probing ? credential : fc.constant<Credential>('bearer'),
      idempotencyKey: idempotency,
    })
    .map((c) => ({ ...c, op }));
}

// ---------------------------------------------------------------------------------------------
// Sending, and reading an answer.

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  ms: number;
}

function encodeBody(c: Case): { headers: Record<string, string>; body?: Buffer } {
  const json = c.body === undefined ? undefined : JSON.stringify(c.body);
  const text = json ?? '{}';
  const asJson = { 'content-type': 'application/json' };
  switch (c.transport) {
    case 'json':
      return json === undefined ? { headers: {} } : { headers: asJson, body: Buffer.from(json) };
    case 'none':
      return { headers: {} };
    case 'text/plain':
      return { headers: { 'content-type': 'text/plain' }, body: Buffer.from(text) };
    case 'form':
      return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('name=x&plan=PRO') };
    case 'gzip':
      return { headers: { ...asJson, 'content-encoding': 'gzip' }, body: gzipSync(text) };
    case 'gzip-garbage':
      return { headers: { ...asJson, 'content-encoding': 'gzip' }, body: Buffer.from(text) };
    case 'deflate-garbage':
      return { headers: { ...asJson, 'content-encoding': 'deflate' }, body: Buffer.from(text) };
    case 'br-garbage':
      return { headers: { ...asJson, 'content-encoding': 'br' }, body: Buffer.from(text) };
    case 'unknown-encoding':
      return { headers: { ...asJson, 'content-encoding': 'zstd' }, body: Buffer.from(text) };
    case 'invalid-json':
      return { headers: asJson, body: Buffer.from(text.slice(0, Math.max(1, text.length - 1)) + ',') };
    case 'latin1':
      return { headers: { 'content-type': 'application/json; charset=latin1' }, body: Buffer.from(text, 'latin1') };
    case 'deep':
      return { headers: asJson, body: Buffer.from(deepJson(5_000)) };
    case 'huge':
      return { headers: asJson, body: Buffer.from(JSON.stringify({ name: 'x'.repeat(150_000) })) };
  }
}

function authorization(c: Case): Record<string, string> {
  switch (c.credential) {
    case 'bearer':
      return { authorization: `Bearer ${token}` };
    case 'lower':
      return { authorization: `bearer ${token}` };
    case 'bare':
      return { authorization: token };
    case 'garbage':
      return { authorization: `Bearer ${token.slice(0, -4)}AAAA` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };
    case 'none':
      return {};
  }
}

function send(c: Case): Promise<Answer> {
  const { hostname, port } = new URL(app.url);
  const { headers, body } = encodeBody(c);
  const all: Record<string, string> = { ...headers, ...authorization(c) };
  if (c.idempotencyKey !== undefined) all['idempotency-key'] = c.idempotencyKey;
  if (body) all['content-length'] = String(body.length);
  const path = c.query ? `${c.path}?${c.query}` : c.path;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: c.method, path, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        });
      // An event stream stays open: its status and headers are the answer.
      if (String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.destroy();
        done();
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= READ_MAX_BYTES) chunks.push(chunk);
      });
      res.on('end', done);
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// What must never happen.

/** Every table's row count and a hash of its rows, in one query: any write changes it. */
async function buildSnapshotSql(db: Db): Promise<string> {
  const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'
      ORDER BY table_name`,
  );
  const parts = tables.map(({ name }) => {
    const q = `"${name.replaceAll('"', '""')}"`;
    return `(SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ${q} t) AS ${q}`;
  });
  return `SELECT ${parts.join(', ')}`;
}
const snapshot = async () => JSON.stringify(await app.db.$queryRawUnsafe(snapshotSql));
/**
 * The next transaction id Postgres will hand out: it moves whenever any transaction writes (or
 * starts to), and never for a read, so the full snapshot is taken again only after it moved.
 */
const nextXid = async () =>
  (await app.db.$queryRawUnsafe<Array<{ x: string }>>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x'))[0]!
    .x;

/** Configured values that must never be answered: every secret-looking string of the config. */
function configuredSecrets(config: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (/secret|token|password|jwtkey|apikey|^key$|signing|private/i.test(key) && value.length >= 8) out.push(value);
      if (/databaseurl|redisurl/i.test(key)) out.push(value);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(config, '');
  return [...new Set(out)];
}

const LOOPBACK = /\b(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|0\.0\.0\.0|\[::1?\])(?::\d+)?/gi;

/**
 * Fields whose loopback address is the local stand-in of a public page: the Telegram emulator's
 * tap link (t.me in production), answered only in local mode.
 */
const LOCAL_STAND_INS: Record<string, string[]> = { createTelegramLink: ['localTapUrl'] };

/** What an answer leaks: a secret, or a loopback address other than the public URLs of this setup. */
function leaks(c: Case, answer: Answer): string[] {
  let text = answer.text;
  const standIns = LOCAL_STAND_INS[c.op.op.operationId as string];
  if (standIns && answer.status < 300) {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const field of standIns) delete body[field];
    text = JSON.stringify(body);
  }
  const haystack = `${JSON.stringify(answer.headers)}\n${text}`;
  const found = secrets.filter((s) => haystack.includes(s)).map((s) => `secret ${s.slice(0, 6)}…`);
  // An address the fuzz itself sent may come back: in a validation message (a body key, a query
  // value), or later as the caller's own data (a post's content listed by GET /posts). That is an
  // echo of the caller's input, not something of ours.
  const sent = requestText(c);
  for (const [address] of sent.matchAll(LOOPBACK)) sentAddresses.add(address.toLowerCase());
  for (const [address] of haystack.matchAll(LOOPBACK)) {
    const a = address.toLowerCase();
    if (!allowedHosts.has(a) && !sentAddresses.has(a)) found.push(`address ${address}`);
  }
  return found;
}

/** Every loopback address some request of this run carried (its own data may be read back). */
const sentAddresses = new Set<string>();

/** The case's path, query and body as one lower-case string, percent-decoded where it decodes. */
function requestText(c: Case): string {
  const raw = `${c.path}?${c.query}\n${JSON.stringify(c.body) ?? ''}`;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // a bad percent-encoding is one of the cases: keep the raw text
  }
  return `${raw}\n${decoded}`.toLowerCase();
}

const describeCase = (c: Case) =>
  `${c.method} ${c.path.slice(0, 120)}${c.query ? `?${c.query.slice(0, 120)}` : ''} [${c.transport}, ${c.credential}${
    c.idempotencyKey !== undefined ? ', key' : ''
  }] body=${JSON.stringify(c.body)?.slice(0, 200)}`;

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  [emulators, stripe, telegram] = await Promise.all([
    startAllEmulators(),
    startStripeEmulator(),
    startTelegramEmulator({ token: LOCAL_BOT_TOKEN }),
  ]);
  app = await startTestApp({
    env: {
      OPENROUTER_BASE_URL: emulators.openrouter.url,
      FAL_BASE_URL: emulators.fal.url,
      ELEVENLABS_BASE_URL: emulators.elevenlabs.url,
      STRIPE_API_BASE: stripe.url,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      CLERK_WEBHOOK_SIGNING_SECRET: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_SECRET: `tg-${randomUUID()}`,
      METRICS_TOKEN: `metrics-${randomUUID()}`,
      RATE_LIMIT_AI_PER_USER: '1000000',
      RATE_LIMIT_MEDIA_PER_USER: '1000000',
    },
  });
  doc = await servedDocument(app);
  ops = operations(doc);
  snapshotSql = await buildSnapshotSql(app.db);
  secrets = [...configuredSecrets(app.config), LOCAL_BOT_TOKEN, app.databaseUrl];
  if (app.localKeys) secrets.push(...configuredSecrets(app.localKeys));
  const hostOf = (url: string) => new URL(url).host.toLowerCase();
  // The API's and the web app's own URLs are public; so is Stripe's checkout page (the emulator
  // stands in for checkout.stripe.com). Every other loopback address is internal.
  allowedHosts = new Set([hostOf(app.url), hostOf(app.config.apiUrl), hostOf(app.config.appUrl), hostOf(stripe.url)]);

  // The fuzz user: a Telegram chat, a brand, a post and a job of its own.
  token = await signInLocally(app.api, 'fuzz@example.com', 'Fuzz');
  const c = client(app.api, token);
  const me = (await c.get('/me')).body;
  // The chat exists on the (emulated) Telegram side too, so a test message or a delivery reaches it.
  telegram.userMessage(77_000_001, { text: 'hi', username: 'fuzz' });
  await app.db.telegramChat.create({
    data: { userId: me.id, chatId: 77_000_001n, username: 'fuzz', status: 'LINKED' },
  });
  own.brand!.push((await c.post('/brands', { name: 'Fuzz brand' })).body.id);
  own.post!.push((await c.post('/posts', { platform: 'TELEGRAM', content: 'Fuzz post' })).body.id);
  const job = await c.post('/ai/generate', {
    transcript: 'A long note about the first week of our pottery class.',
    platform: 'LINKEDIN',
    numberOfPosts: 1,
    style: 'CASUAL',
  });
  own.job!.push(job.body.id);
  const voices = await c.get('/voice/voices');
  own.voice!.push(...((voices.body?.items ?? []) as Array<{ id: string }>).slice(0, 2).map((v) => v.id));
});

afterAll(async () => {
  await app?.close();
  await Promise.all([emulators?.close(), stripe?.close(), telegram?.close()]);
});

describe('fuzzing every operation of the served document', () => {
  it('covers every operation, with the schemas it needs', () => {
    expect(ops.length).toBeGreaterThan(30);
    expect(own.brand!.length + own.post!.length + own.job!.length).toBe(3);
  });

  it(
    `${RUNS} schema-driven cases: no 5xx, no leak, nothing written by a refusal (seed ${SEED})`,
    async () => {
      const cases = fc.sample(fc.constantFrom(...ops).chain(caseFor), { numRuns: RUNS, seed: SEED });
      const failures: string[] = [];
      const timing = { send: 0, snapshot: 0 };
      const timed = async <T>(what: keyof typeof timing, run: () => Promise<T>) => {
        const t = performance.now();
        try {
          return await run();
        } finally {
          timing[what] += performance.now() - t;
        }
      };
      const statuses = new Map<number, number>();
      let slowest = { ms: 0, what: '' };
      let full = await snapshot();
      let fullAt = await nextXid();
      for (const c of cases) {
        const xid = await nextXid();
        if (xid !== fullAt) [full, fullAt] = [await timed('snapshot', snapshot), xid];
        let answer: Answer;
        try {
          answer = await timed('send', () => send(c));
        } catch (err) {
          failures.push(`no answer (${(err as Error).message}): ${describeCase(c)}`);
          continue;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.ms > slowest.ms) slowest = { ms: answer.ms, what: describeCase(c) };
        if (answer.status >= 500) failures.push(`${answer.status} ${answer.text.slice(0, 200)}: ${describeCase(c)}`);
        for (const leak of leaks(c, answer)) failures.push(`leaks ${leak}: ${describeCase(c)}`);
        // A refusal may have begun a transaction it rolled back; only a changed row counts.
        if (answer.status >= 400 && (await nextXid()) !== xid && (await snapshot()) !== full) {
          failures.push(`${answer.status} but a table changed: ${describeCase(c)}`);
        }
      }
      const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      console.info(
        `fuzz: ${cases.length} cases over ${ops.length} operations (seed ${SEED}); answers ${summary.join(' ')}; ` +
          `send ${Math.round(timing.send)} ms, snapshots ${Math.round(timing.snapshot)} ms; slowest ${Math.round(slowest.ms)} ms (${slowest.what.slice(0, 100)}); ${failures.length} failures`,
      );
      if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, failures.join('\n') + '\n');
      expect(failures.slice(0, 25)).toEqual([]);
    },
    Math.max(120_000, RUNS * 60),
  );
});
