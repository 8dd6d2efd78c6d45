// GET /api/v1/openapi.json (OpenAPI 3.1), made from the same route declarations that validate
// requests. Schemas named with zod's `.meta({ id })` (or nameSchemas below) become components,
// referenced with $ref wherever they are used; tags come in the order a reader needs them, each
// with a description; info.description is the guide to the conventions every route shares.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors.js';
import type { RegisteredRoute } from './route.js';

/** Every route can answer these. */
// SERVICE_UNAVAILABLE: Postgres is unreachable (with Retry-After; http/error-handler.ts).
const COMMON_ERRORS: ErrorCode[] = ['VALIDATION_ERROR', 'RATE_LIMITED', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'];
/** What a 429 carries (express-rate-limit, IETF draft 8 headers). */
const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until the budget allows a request again.', schema: { type: 'integer' } },
  RateLimit: {
    description: 'The remaining budget and its reset, per the IETF RateLimit draft.',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': { description: 'The limit and its window.', schema: { type: 'string' } },
};

/** Each status's title, for its response. */
const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in',
  402: 'Quota exceeded',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  431: 'Request line or headers too large',
  429: 'Too many requests',
  500: 'Internal error',
  502: 'Upstream error',
  503: 'Unavailable',
  504: 'Upstream timeout',
};

/** An example of each error, as the API writes it. */
const ERROR_EXAMPLES: Record<ErrorCode, { message: string; details?: Record<string, unknown> }> = {
  VALIDATION_ERROR: {
    message: 'Invalid request. body.content: content is required',
    details: { issues: [{ path: 'body.content', message: 'content is required' }] },
  },
  UNAUTHORIZED: { message: 'Sign in first: this route needs a valid session token (Authorization: Bearer …).' },
  FORBIDDEN: { message: 'Not allowed.' },
  NOT_FOUND: { message: 'Not found.' },
  CONFLICT: { message: 'The post changed while this request ran; read it again and retry.' },
  IDEMPOTENCY_KEY_REUSED: {
    message: 'This Idempotency-Key was used with a different request; use a new key for a new request.',
  },
  TELEGRAM_NOT_LINKED: { message: 'Link your Telegram chat first (POST /api/v1/telegram/link).' },
  INVALID_STATE: { message: 'A DELIVERED post cannot be edited.', details: { status: 'DELIVERED' } },
  METHOD_NOT_ALLOWED: { message: 'PUT is not allowed on /api/v1/brands; it allows GET, HEAD, POST.' },
  PAYLOAD_TOO_LARGE: { message: 'The request body is larger than 100 kB.' },
  UNSUPPORTED_MEDIA_TYPE: {
    message: 'Send the body as JSON, with Content-Type: application/json (it was text/plain).',
  },
  HEADERS_TOO_LARGE: { message: 'The request line and headers are larger than 16 kB.' },
  QUOTA_EXCEEDED: {
    message: 'Your plan allows 20 posts a month; 18 used, 5 requested.',
    details: { metric: 'posts', limit: 20, used: 18, requested: 5, resetsAt: '2026-12-01T00:00:00.000Z' },
  },
  RATE_LIMITED: { message: 'Too many requests: at most 100 a minute here. Retry after the time in Retry-After.' },
  UPSTREAM_ERROR: { message: 'Stripe: the checkout session has no URL.', details: { provider: 'stripe' } },
  UPSTREAM_UNAVAILABLE: { message: 'ElevenLabs: HTTP 503', details: { provider: 'elevenlabs' } },
  SERVICE_UNAVAILABLE: { message: 'No Stripe price is configured for PRO (STRIPE_PRICE_PRO).' },
  UPSTREAM_TIMEOUT: { message: 'ElevenLabs: timed out after 60000 ms', details: { provider: 'elevenlabs' } },
  INTERNAL_ERROR: { message: 'Something went wrong on our side. It has been logged.' },
};
const EXAMPLE_REQUEST_ID = '9b2f4c1e-5d7a-4e3b-8f60-2a1c9d8e7b54';
const errorExample = (code: ErrorCode) => ({ error: { code, ...ERROR_EXAMPLES[code] }, requestId: EXAMPLE_REQUEST_ID });

/** The tags, in the order of the reference, each with its description; grouped in the sidebar. */
const TAG_GROUPS: Array<{ name: string; tags: Array<{ name: string; description: string }> }> = [
  {
    name: 'Content',
    tags: [
      {
        name: 'Posts',
        description:
          'A post is written for one platform and checked against its length limit (TWITTER 280, THREADS 500, INSTAGRAM 2,200, LINKEDIN 3,000, TELEGRAM 4,096, FACEBOOK 5,000 characters). Its `status` moves `DRAFT` → `SCHEDULED` → `DELIVERING` → `DELIVERED` or `FAILED`; unscheduling returns it to `DRAFT`. At `scheduledFor` a worker delivers it to your linked Telegram chat. A post being delivered, or delivered, can no longer be edited or rescheduled (409 `INVALID_STATE`), but it can be duplicated into a new draft.',
      },
      {
        name: 'Generation',
        description:
          'AI-written posts. Each call answers **202 Accepted** with a [Job](#tag/jobs): follow it with `GET /jobs/{id}` or its event stream. The job reserves its quota when it is accepted (one post per post written) and refunds it if it fails or is cancelled. Send an `Idempotency-Key` so that a retried request is never charged twice.',
      },
      {
        name: 'Images',
        description:
          'An image for a post (FLUX on Fal), as a job: 202 with the Job, `result.imageUrl` when it succeeds. Counts one image.',
      },
      {
        name: 'Voice',
        description:
          "A voice-over (ElevenLabs) of a post or a text, as a job: 202 with the Job, `result.audioUrl` when it succeeds. Counts the text's characters.",
      },
      {
        name: 'Jobs',
        description:
          'The long-running work behind generation, images and voice-overs. `status` is `QUEUED`, `RUNNING`, then `SUCCEEDED`, `FAILED` or `CANCELLED`; `progress` runs from 0 to 100; `result` holds what it made (`postIds`, `imageUrl`, `audioUrl`) and `error` why it failed.',
      },
      {
        name: 'Brands',
        description:
          'Who the posts speak for: a name, a description, the voice and audience the prompts use, an image style and a default voice for voice-overs. Deleting a brand keeps its posts, without a brand.',
      },
    ],
  },
  {
    name: 'Account',
    tags: [
      {
        name: 'Me',
        description: 'The signed-in user: profile, time zone (used for scheduling), Telegram link and usage.',
      },
      {
        name: 'Telegram',
        description:
          'Posts are delivered to your own Telegram chat. Create a link, open its `deepLink` (or scan it as a QR code) and press **Start** in the bot: the chat is linked. `UNREACHABLE` means Telegram refused a delivery (the bot was blocked, the chat is gone): link again.',
      },
      {
        name: 'Usage',
        description:
          'What this calendar month (UTC) has used of the plan: AI-written posts, images and voice-over characters. Posts written by hand do not count.',
      },
      { name: 'Plans', description: 'FREE, PRO and BUSINESS: monthly prices and limits. Public.' },
      {
        name: 'Billing',
        description:
          'Subscriptions through Stripe: Checkout to upgrade, the billing portal to change plan, cancel or see invoices. The plan changes when Stripe confirms the payment (by webhook), not when the page returns.',
      },
    ],
  },
  {
    name: 'Platform',
    tags: [
      {
        name: 'Local sign-in',
        description:
          'Only in local mode (no Clerk keys, e.g. `npm start` on your machine; never in production): a session token for an email address, no password.',
      },
      {
        name: 'Webhooks',
        description:
          'Called by Stripe, Clerk and Telegram, not by clients. The raw body is checked against its signature before anything is read or written; a bad signature is 400 (401 for Telegram) and changes nothing; a repeated event is 200 and applied once.',
      },
      { name: 'Meta', description: 'This document and this reference.' },
    ],
  },
];

export interface OpenApiInfo {
  title: string;
  version: string;
  /** One line: what the API is for (the intro's first paragraph). */
  summary: string;
  serverUrl: string;
}

/** The guide at the top of the reference (Markdown). */
function introduction(info: OpenApiInfo, localSignIn: boolean): string {
  const base = `${info.serverUrl}/api/v1`;
  const signIn = localSignIn
    ? `
### Local mode

Without Clerk keys (\`npm start\` on your machine) the API signs you in itself: [\`POST /api/v1/dev/session\`](#tag/local-sign-in) with an email address answers a token valid for 12 hours. No password: this route exists only in local mode, never once Clerk is configured.

\`\`\`sh
TOKEN=$(curl -s "$API/dev/session" \\
  -H 'Content-Type: application/json' \\
  -d '{"email":"you@example.com"}' | jq -r .token)
curl "$API/me" -H "Authorization: Bearer $TOKEN"
\`\`\`
`
    : '';
  return `${info.summary} Everything the web app does, it does through this API; this reference is generated from the same schemas that validate every request.

## Authentication

Send a session token on every request except the public ones (\`GET /plans\`, this document, the webhooks):

\`\`\`sh
API=${base}
curl "$API/me" -H "Authorization: Bearer $TOKEN"
\`\`\`

The token is a Clerk session token (in a browser, Clerk's \`getToken()\`). A missing, expired or invalid token is \`401 UNAUTHORIZED\`. Your user is created the first time the API sees you.
${signIn}
## Requests and responses

- JSON bodies, at most 100 kB (\`413 PAYLOAD_TOO_LARGE\` beyond). Unknown fields are refused with \`400\`, not ignored.
- Ids are opaque strings. Enum values are UPPER_SNAKE strings (\`DRAFT\`, \`TWITTER\`).
- Times are ISO-8601 in **UTC** (\`2026-11-22T09:30:00.000Z\`); an input with an offset (\`2026-11-22T10:30:00+01:00\`) is accepted and stored as the same instant. An input needs its offset (\`Z\` or \`±hh:mm\`) and a year from 1970 to 9999.
- Text may hold any Unicode except the NUL character (U+0000); an unpaired UTF-16 surrogate (\`"\\ud800"\`) is refused too (\`400\`).
- Creating answers \`201\` with the resource, deleting \`204\`; the actions (\`schedule\`, \`unschedule\`, \`send-now\`, \`cancel\`) answer \`200\` with the resource as it is afterwards; job-creating calls answer \`202\` with the Job.
- Another user's resource is \`404\`, exactly like a missing one.
- Every response carries \`X-Request-Id\`; send your own (up to 128 characters of \`A-Z a-z 0-9 . _ : @ -\`) to find a request in the logs.

## Jobs

Writing posts, images and voice-overs takes seconds to a minute, so those calls answer \`202 Accepted\` at once with a [Job](#model/job). Follow it with \`GET /jobs/{id}\` (every second or two) or the event stream \`GET /jobs/{id}/events\` until its \`status\` is \`SUCCEEDED\` (read \`result\`), \`FAILED\` (read \`error\`) or \`CANCELLED\`.

## Errors

Every error has the same shape, whatever the route. Branch on \`error.code\`; \`message\` is for people:

\`\`\`json
{
  "error": {
    "code": "QUOTA_EXCEEDED",
    "message": "Your plan allows 20 posts a month; …",
    "details": {
      "metric": "posts",
      "limit": 20,
      "used": 18,
      "requested": 5,
      "resetsAt": "2026-12-01T00:00:00.000Z"
    }
  },
  "requestId": "9b2f4c1e-5d7a-4e3b-8f60-2a1c9d8e7b54"
}
\`\`\`

- **400** \`VALIDATION_ERROR\`: the request does not match its schema; \`details.issues\` lists each field (\`{ "path": "body.content", "message": "…" }\`).
- **401** \`UNAUTHORIZED\`: no valid session token.
- **402** \`QUOTA_EXCEEDED\`: over the plan's monthly limit; \`details\` has \`metric\`, \`limit\`, \`used\`, \`requested\` and \`resetsAt\`.
- **403** \`FORBIDDEN\`: not allowed.
- **404** \`NOT_FOUND\`: no such resource, or not yours.
- **409** \`CONFLICT\`: it changed meanwhile (read it again); \`INVALID_STATE\`: its status does not allow this; \`TELEGRAM_NOT_LINKED\`: link a chat first; \`IDEMPOTENCY_KEY_REUSED\`: the key came with another body.
- **405** \`METHOD_NOT_ALLOWED\`: the path exists, the method does not; \`Allow\` lists the methods it has.
- **413** \`PAYLOAD_TOO_LARGE\`: the body is over the limit.
- **415** \`UNSUPPORTED_MEDIA_TYPE\`: a body that is not \`application/json\`, or in a content encoding other than gzip, deflate or br.
- **431** \`HEADERS_TOO_LARGE\`: the request line (path and query) and headers are over 16 kB.
- **429** \`RATE_LIMITED\`: too many requests; wait \`Retry-After\` seconds.
- **500** \`INTERNAL_ERROR\`: our fault; the \`requestId\` helps us find it.
- **502**, **503**, **504** \`UPSTREAM_ERROR\`, \`UPSTREAM_UNAVAILABLE\`, \`SERVICE_UNAVAILABLE\`, \`UPSTREAM_TIMEOUT\`: a provider (Stripe, Telegram, ElevenLabs…) failed, is down or is not configured; retry later.

## Pagination

Lists take \`?limit=\` (1 to 100, default 20) and answer \`{ "items": [...], "nextCursor": "…" }\`, newest first. Pass \`nextCursor\` back as \`?cursor=\` for the next page; it is \`null\` on the last page. Cursors are opaque and stay valid while items are added.

\`\`\`sh
curl "$API/posts?status=SCHEDULED&limit=50" \\
  -H "Authorization: Bearer $TOKEN"
# then, while nextCursor is not null:
curl "$API/posts?status=SCHEDULED&limit=50&cursor=$NEXT" \\
  -H "Authorization: Bearer $TOKEN"
\`\`\`

## Idempotency

Every POST that creates a job or spends quota (generation, images, voice-overs) takes an \`Idempotency-Key\` header (up to 255 characters; a UUID is a good choice). The same key from the same user answers the first response again (with \`Idempotent-Replayed: true\`) and is never charged twice; the same key with a different body is \`409 IDEMPOTENCY_KEY_REUSED\`. The two Stripe calls take one too: a retry with the same key gets the same Stripe session.

## Rate limits

100 requests a minute per IP address on \`/api/v1\`; per user, 20 a minute on \`/ai/*\` and 10 a minute on \`/images/*\` and \`/voice/*\` (the defaults). Over a limit the answer is \`429 RATE_LIMITED\` with \`Retry-After\` (seconds) and the \`RateLimit\` / \`RateLimit-Policy\` headers.

## Plans and quotas

Each AI-written post counts one post, each image one image, a voice-over the characters of its text. Usage is reserved when a job is accepted and refunded if it fails or is cancelled, atomically: no number of concurrent requests can go past a limit. The period is the calendar month in UTC.
`;
}

type JsonSchema = Record<string, unknown>;

/** The string formats whose `pattern` zod also emits: the format says it, the regex only adds noise. */
const FORMATS_WITH_PATTERNS = new Set(['date-time', 'date', 'time', 'uuid', 'email', 'uri', 'duration']);
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not', 'propertyNames', 'contains', 'if', 'then', 'else']);
const SUBSCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SUBSCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs']);

/**
 * `X | null` as one schema whose `type` includes "null" (`anyOf: [{ type: "string", … },
 * { type: "null" }]` as `type: ["string", "null"]`): the same values (the other keywords apply to
 * their own types only; an enum gains null), shown as "nullable" rather than as a union.
 */
function mergeNullable(node: JsonSchema): JsonSchema {
  const options = node.anyOf;
  if (!Array.isArray(options) || options.length !== 2) return node;
  const isNull = (o: unknown) => isDeepStrictEqual(o, { type: 'null' });
  const other = options.find((o) => !isNull(o)) as JsonSchema | undefined;
  if (!other || !options.some(isNull) || typeof other.type !== 'string') return node;
  if (['$ref', 'anyOf', 'oneOf', 'allOf'].some((k) => k in other)) return node;
  const { anyOf: _union, ...outer } = node;
  const merged: JsonSchema = { ...other, ...outer, type: [other.type, 'null'] };
  if (Array.isArray(other.enum)) merged.enum = [...(other.enum as unknown[]), null];
  if ('const' in other) {
    merged.enum = [other.const, null];
    delete merged.const;
  }
  return merged;
}

/**
 * zod's JSON Schema, tidied for the document: `#/$defs/X` refs point at `#/components/schemas/X`,
 * nullable unions are merged, and what says nothing is dropped (the patterns zod adds to its
 * string formats, `propertyNames: { type: "string" }`). The values a schema accepts stay the
 * same. (These forms also pass the reference's own check of the document: Scalar 1.46 warns about
 * `additionalProperties: {}`, and about an `anyOf` inside a component that a property refers to.)
 */
function tidy(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const node = mergeNullable(schema as JsonSchema);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'pattern' && FORMATS_WITH_PATTERNS.has(node.format as string)) continue;
    // Object keys are strings anyway; "any value" is `true` rather than `{}`.
    if (key === 'propertyNames' && isDeepStrictEqual(value, { type: 'string' })) continue;
    if (key === 'additionalProperties' && isDeepStrictEqual(value, {})) {
      out[key] = true;
      continue;
    }
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
      out[key] = `#/components/schemas/${value.slice('#/$defs/'.length)}`;
    } else if (SUBSCHEMA.has(key)) {
      out[key] = tidy(value);
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map(tidy);
    } else if (SUBSCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v)]));
    } else {
      out[key] = value; // keywords and data (enum, examples, default…), as they are
    }
  }
  return out;
}

/**
 * Names schemas declared where a `.meta({ id })` cannot be added (shared module files): the
 * document then shows them as components. Idempotent (several apps in one process).
 */
export function nameSchemas(named: Record<string, z.ZodType>): void {
  for (const [id, schema] of Object.entries(named)) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id === id) continue;
    if (meta?.id) throw new Error(`The schema named ${id} is already named ${String(meta.id)}.`);
    z.globalRegistry.add(schema, { ...meta, id });
  }
}

export function buildOpenApi(routes: RegisteredRoute[], info: OpenApiInfo) {
  const components: Record<string, JsonSchema> = {};
  /** A schema's JSON Schema; the named schemas inside it go to `components`. */
  const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const {
      $schema: _drop,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & { $defs?: Record<string, unknown> };
    for (const [id, def] of Object.entries($defs ?? {})) {
      const schemaJson = tidy(def) as JsonSchema;
      // One name, one shape: a schema named once but read both as input and as output (where
      // defaults and transforms differ) would need two names.
      if (components[id] && !isDeepStrictEqual(components[id], schemaJson)) {
        throw new Error(`The schema component ${id} has two shapes (used as both input and output?).`);
      }
      components[id] = schemaJson;
    }
    return tidy(rest) as JsonSchema;
  };

  const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, prop]) => {
      const { description, ...propSchema } = prop;
      return {
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propSchema,
      };
    });
  };

  const paths: Record<string, Record<string, unknown>> = {};
  const usedTags = new Set<string>();
  for (const { spec, fullPath } of routes) {
    const path = fullPath.replace(/:([A-Za-z_]+)/g, '{$1}');
    usedTags.add(spec.tag);
    const errors = [
      ...new Set([
        ...(spec.auth === false ? [] : (['UNAUTHORIZED'] as ErrorCode[])),
        ...(spec.errors ?? []),
        ...COMMON_ERRORS,
        // Any route that reads a body can be sent one over the limit (JSON 100 kB, webhooks 1 MB).
        ...(spec.body || spec.rawBody ? (['PAYLOAD_TOO_LARGE'] as ErrorCode[]) : []),
        // A JSON body sent as another type (text/plain, a form) is refused rather than ignored.
        ...(spec.body ? (['UNSUPPORTED_MEDIA_TYPE'] as ErrorCode[]) : []),
      ]),
    ];
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of errors) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
    const status = spec.status ?? 200;
    const example = (value: unknown) => (value === undefined ? {} : { example: value });
    const responses: Record<string, unknown> = {
      [status]: spec.response
        ? {
            description: status === 201 ? 'Created' : status === 202 ? 'Accepted: the job, queued' : 'OK',
            content: {
              'application/json': {
                schema: jsonSchema(spec.response, 'output'),
                ...example(spec.examples?.response),
              },
            },
          }
        : spec.rawResponse
          ? {
              description: spec.rawResponse.description,
              content: { [spec.rawResponse.mediaType]: { schema: { type: 'string' } } },
            }
          : { description: 'No content' },
    };
    for (const [code, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[code] = {
        description: `${STATUS_TITLES[code] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}`,
        ...(code === 429 ? { headers: RATE_LIMIT_HEADERS } : {}),
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/Error' },
            // One example per code the status stands for.
            examples: Object.fromEntries(codes.map((c) => [c, { summary: c, value: errorExample(c) }])),
          },
        },
      };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(spec.auth === false ? { security: [] } : {}),
      parameters: [
        ...parameters(spec.params, 'path'),
        ...parameters(spec.query, 'query'),
        ...(spec.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: h.required ?? false,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: jsonSchema(spec.body, 'input'), ...example(spec.examples?.body) },
              },
            },
          }
        : {}),
      responses,
    };
  }

  // Declared tags in their order (only those some route uses), then any other, by name.
  const declared = TAG_GROUPS.flatMap((g) => g.tags).filter((t) => usedTags.has(t.name));
  const undeclared = [...usedTags].filter((name) => !declared.some((t) => t.name === name)).sort();
  const tags = [...declared, ...undeclared.map((name) => ({ name }))];
  const tagGroups = [
    ...TAG_GROUPS.map((g) => ({ name: g.name, tags: g.tags.map((t) => t.name).filter((n) => usedTags.has(n)) })),
    ...(undeclared.length ? [{ name: 'Other', tags: undeclared }] : []),
  ].filter((g) => g.tags.length > 0);

  const localSignIn = routes.some((r) => r.spec.operationId === 'createLocalSession');
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      summary: info.summary,
      description: introduction(info, localSignIn),
    },
    servers: [{ url: info.serverUrl }],
    security: [{ bearerAuth: [] }],
    tags,
    'x-tagGroups': tagGroups,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: localSignIn
            ? 'A Clerk session token; in local mode, the token of `POST /api/v1/dev/session`.'
            : 'A Clerk session token.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          description: 'The one error envelope of every route.',
          required: ['error', 'requestId'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'Branch on this.' },
                message: { type: 'string', description: 'For people: what went wrong and what to do.' },
                details: {
                  type: 'object',
                  additionalProperties: true,
                  description:
                    'Depends on the code: `issues` for VALIDATION_ERROR; `metric`, `limit`, `used`, `requested`, `resetsAt` for QUOTA_EXCEEDED.',
                },
              },
            },
            requestId: { type: 'string', description: 'The X-Request-Id of the request.' },
          },
          examples: [errorExample('NOT_FOUND')],
        },
        ...Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;
