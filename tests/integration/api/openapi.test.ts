// GET /api/v1/openapi.json and /api/v1/docs: a valid OpenAPI 3.1 document that lists exactly the
// routes Express serves (read from Express's own route table, not from the product's RouteTable),
// with complete operations, ordered and described tags, named components and examples that match
// their schemas; the reference page and its scripts; and no local sign-in route once Clerk is
// configured. (The page in a browser: docs-page.test.ts.)
import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { clerkEnv, newKeyPair } from '../../helpers/auth.ts';
import { client } from '../../helpers/http.ts';

const API = '/api/v1';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Served = TestApp;

/** The real app, as every test builds it. */
const serve = (env: Record<string, string> = {}): Promise<Served> => startTestApp({ env });

/** Express 5 path syntax (`/posts/:id`, `/files/*rest`) in OpenAPI's template syntax. */
const templated = (path: string) => path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');

/**
 * Every (METHOD, path) pair that Express routes, read from the app's router stack: route layers
 * (router.get(...) and friends) and, recursively, routers mounted with use(). Plain middleware
 * (the limiters on /ai, /images, /voice; the error handlers) answers no route of its own.
 */
function expressRoutes(app: Express): Set<string> {
  const out = new Set<string>();
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      const raw: unknown = layer.rawPath ?? layer.route?.path;
      const paths = (Array.isArray(raw) ? raw : [raw]) as unknown[];
      for (const path of paths) {
        if (typeof path !== 'string') throw new Error(`a route path that is not a string: ${String(path)}`);
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) {
            out.add(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${templated(prefix + path)}`);
          }
        } else if (Array.isArray(layer.handle?.stack)) {
          walk(layer.handle.stack, prefix + (path === '/' ? '' : path));
        }
      }
    }
  };
  walk((app as any).router.stack, '');
  return out;
}

function documentedRoutes(doc: any): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.add(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

function operations(doc: any) {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );
}

/**
 * The success status the contract fixes, where it fixes one (Conventions: creating answers 201,
 * deleting 204, the actions 200, job-creating POSTs 202); undefined where it is silent.
 */
function contractSuccess(method: string, path: string): number | undefined {
  if (method === 'get' || method === 'patch') return 200;
  if (method === 'delete') return 204;
  if (method !== 'post') return undefined;
  const last = path.split('/').pop()!;
  if (['schedule', 'unschedule', 'send-now', 'cancel'].includes(last)) return 200;
  if (/^\/api\/v1\/(ai|images|voice)\//.test(path)) return 202;
  if (['duplicate', 'session', 'link'].includes(last)) return 201; // each creates a resource
  if (/^\/api\/v1\/(brands|posts)$/.test(path)) return 201;
  return undefined;
}

/** The Ajv 2020 that swagger-parser ships with (formats are not checked). */
function newAjv() {
  const requireFromParser = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
  const Ajv2020 = requireFromParser('ajv/dist/2020');
  return new Ajv2020({ strict: false, validateFormats: false });
}

let local: Served;
let doc: any;

beforeAll(async () => {
  local = await serve();
  const res = await fetch(`${local.api}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await res.json();
});
afterAll(() => local?.close());

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    // swagger-parser 13 validates 3.1 documents against the official OAS 3.1 JSON Schema (it picks
    // the schema by the `openapi` field, see lib/validators/schema.js) after resolving every $ref;
    // it dereferences in place, hence the copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('holds Schema Objects that are valid JSON Schema 2020-12 (OpenAPI 3.1 dialect)', () => {
    // For 3.1, swagger-parser reduces every Schema Object to "an object or a boolean" (a work-around
    // for Ajv and $dynamicRef), so the schemas themselves are checked here with the same Ajv 2020
    // that swagger-parser ships with, against the 2020-12 meta-schema.
    const ajv = newAjv();
    const schemas: Array<[string, unknown]> = [];
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) schemas.push([`${where} parameter ${p.name}`, p.schema]);
      for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) {
        schemas.push([`${where} request body (${type})`, media.schema]);
      }
      for (const [status, response] of Object.entries<any>(op.responses)) {
        for (const [type, media] of Object.entries<any>(response.content ?? {})) {
          schemas.push([`${where} response ${status} (${type})`, media.schema]);
        }
      }
    }
    for (const [name, schema] of Object.entries<any>(doc.components?.schemas ?? {})) {
      schemas.push([`components.schemas.${name}`, schema]);
    }
    expect(schemas.length).toBeGreaterThan(20);
    const invalid = schemas
      .filter(([, schema]) => schema === undefined || !ajv.validateSchema(schema))
      .map(([where]) => `${where}: ${ajv.errorsText(ajv.errors)}`);
    expect(invalid).toEqual([]);
  });

  it('lists exactly the /api/v1 routes that Express serves', () => {
    const served = expressRoutes(local.app);
    // The walk sees the whole app: the probes, /metrics and the browser's page at / outside
    // /api/v1 are there, and are not documented.
    expect(served).toContain('GET /health');
    expect(served).toContain('GET /ready');
    expect(served).toContain('GET /metrics');
    const api = [...served].filter((r) => r.split(' ')[1]!.startsWith(`${API}/`)).sort();
    const outside = [...served].filter((r) => !r.split(' ')[1]!.startsWith(`${API}/`));
    expect(outside.sort()).toEqual(['GET /', 'GET /health', 'GET /metrics', 'GET /ready']);
    // Sanity: the walk found the routes of every module, including the local sign-in.
    expect(api).toEqual(
      expect.arrayContaining([
        'GET /api/v1/plans',
        'POST /api/v1/dev/session',
        'GET /api/v1/me',
        'DELETE /api/v1/brands/{id}',
        'POST /api/v1/posts/{id}/schedule',
        'GET /api/v1/openapi.json',
        'GET /api/v1/docs',
      ]),
    );
    expect([...documentedRoutes(doc)].sort()).toEqual(api);
    expect(Object.keys(doc.paths).every((p) => p.startsWith(`${API}/`))).toBe(true);
  });

  it('gives every operation a unique operationId, a summary and its success response', () => {
    const ops = operations(doc);
    const ids = ops.map(({ op }) => op.operationId);
    for (const id of ids) expect(typeof id === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(id), String(id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(typeof op.summary === 'string' && op.summary.trim().length > 0, `${where}: summary`).toBe(true);
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s));
      expect(success, `${where}: exactly one success response`).toHaveLength(1);
      const expected = contractSuccess(method, path);
      if (expected !== undefined) expect(Number(success[0]), `${where}: success status`).toBe(expected);
      expect(typeof op.responses[success[0]!].description, `${where}: success description`).toBe('string');
    }
  });

  it('describes the body of every success response: none for 204, its media type and schema otherwise', async () => {
    const problems: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const [status, response] = Object.entries<any>(op.responses).find(([s]) => /^2\d\d$/.test(s))!;
      const media = Object.entries<any>(response.content ?? {});
      if (status === '204') {
        if (media.length > 0) problems.push(`${where}: a 204 documents a body`);
        continue;
      }
      if (media.length === 0) problems.push(`${where}: the ${status} response sends a body but documents none`);
      for (const [type, m] of media) if (!m?.schema) problems.push(`${where}: ${status} ${type} has no schema`);
    }
    // What the public reads really send is what their operations say they send.
    for (const { path, op } of operations(doc).filter((o) => o.method === 'get' && o.op.security?.length === 0)) {
      if (path.includes('{')) continue;
      const res = await fetch(`${local.url}${path}`);
      expect(res.status, path).toBe(200);
      const type = res.headers.get('content-type')!.split(';')[0]!;
      const documented = Object.keys(op.responses['200'].content ?? {});
      if (!documented.includes(type)) problems.push(`GET ${path}: sends ${type}, documents [${documented.join(', ')}]`);
    }
    expect(problems).toEqual([]);
  });

  it('documents the error responses with the shared Error schema; signed-in routes list 401', () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    const error = doc.components.schemas.Error;
    expect(error).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['error', 'requestId']),
      properties: { error: { required: expect.arrayContaining(['code', 'message']) } },
    });
    expect(error.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['VALIDATION_ERROR', 'UNAUTHORIZED', 'NOT_FOUND', 'RATE_LIMITED', 'INTERNAL_ERROR']),
    );
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const errors = Object.keys(op.responses).filter((s) => /^[45]\d\d$/.test(s));
      // Every route can answer a malformed request, the rate limit and an internal error.
      expect(errors, where).toEqual(expect.arrayContaining(['400', '429', '500']));
      expect(Object.keys(op.responses['429'].headers ?? {}), `${where} 429 headers`).toEqual(
        expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
      );
      // A route that takes a body can be sent one that is too large.
      if (op.requestBody || path.startsWith(`${API}/webhooks/`)) expect(errors, `${where} 413`).toContain('413');
      for (const status of errors) {
        expect(op.responses[status].content?.['application/json']?.schema, `${where} ${status}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (!isPublic) {
        expect(op.security, `${where}: signed in through the document's bearerAuth`).toBeUndefined();
        expect(errors, `${where}: signed-in route lists 401`).toContain('401');
      }
    }
  });

  it('marks as public exactly the routes that answer without a token', async () => {
    const anonymous = client(local.api);
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const concrete = path.slice(API.length).replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      // No body: a public POST then fails validation (400) without creating anything.
      const res = await (anonymous as any)[method](concrete);
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (isPublic) expect(res.status, `${where} without a token`).not.toBe(401);
      else expect([res.status, res.body?.error?.code], `${where} without a token`).toEqual([401, 'UNAUTHORIZED']);
    }
  });

  it('orders its tags, describes each, and groups them all in the sidebar (x-tagGroups)', () => {
    const names = doc.tags.map((t: any) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 3)).toEqual(['Posts', 'Generation', 'Images']);
    for (const tag of doc.tags) expect(tag.description?.length, `tag ${tag.name}`).toBeGreaterThan(20);
    const used = new Set(operations(doc).map(({ op }) => op.tags[0]));
    expect([...used].sort()).toEqual([...names].sort());
    // Scalar hides a tag that no group lists: every tag is in exactly one group, in the same order.
    expect(doc['x-tagGroups'].flatMap((g: any) => g.tags)).toEqual(names);
  });

  it('opens with a guide to what every route shares', () => {
    const intro: string = doc.info.description;
    for (const heading of [
      'Authentication',
      'Local mode',
      'Jobs',
      'Errors',
      'Pagination',
      'Idempotency',
      'Rate limits',
    ]) {
      expect(intro, heading).toMatch(new RegExp(`^#+ ${heading}$`, 'm'));
    }
    expect(intro).toContain('Authorization: Bearer');
    expect(intro).toContain('/dev/session');
    expect(intro).toContain('UTC');
    for (const code of doc.components.schemas.Error.properties.error.properties.code.enum)
      expect(intro).toContain(code);
  });

  it('names the shared schemas as components and refers to them with $ref', () => {
    const schemas = doc.components.schemas;
    for (const name of ['Post', 'Job', 'Brand', 'Plan', 'Me', 'TelegramLink', 'Usage', 'Subscription', 'Error']) {
      expect(schemas, name).toHaveProperty(name);
    }
    const success = (path: string, method: string) =>
      Object.entries<any>(doc.paths[path][method].responses).find(([s]) => /^2/.test(s))![1].content['application/json']
        .schema;
    expect(success(`${API}/posts/{id}`, 'get')).toEqual({ $ref: '#/components/schemas/Post' });
    expect(success(`${API}/posts`, 'get').properties.items.items).toEqual({ $ref: '#/components/schemas/Post' });
    expect(success(`${API}/ai/generate`, 'post')).toEqual({ $ref: '#/components/schemas/Job' });
    expect(success(`${API}/me`, 'get')).toEqual({ $ref: '#/components/schemas/Me' });
    expect(doc.paths[`${API}/posts`].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/PostCreate',
    });
    // Every $ref points at a component that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas, ref).toHaveProperty(ref.split('/').pop()!);
    }
  });

  it('gives the common operations examples, and every example matches its schema', () => {
    const withExample = (path: string, method: string, where: 'request' | 'response') => {
      const op = doc.paths[path][method];
      const media =
        where === 'request'
          ? op.requestBody.content['application/json']
          : Object.entries<any>(op.responses).find(([s]) => /^2/.test(s))![1].content['application/json'];
      return media.example ?? media.examples ?? resolve(media.schema).examples;
    };
    const resolve = (schema: any) => (schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
    const common: Array<[string, string, Array<'request' | 'response'>]> = [
      [`${API}/posts`, 'post', ['request', 'response']],
      [`${API}/posts`, 'get', ['response']],
      [`${API}/posts/{id}`, 'get', ['response']],
      [`${API}/posts/{id}/schedule`, 'post', ['request', 'response']],
      [`${API}/ai/generate`, 'post', ['request', 'response']],
      [`${API}/ai/campaign`, 'post', ['request']],
      [`${API}/jobs/{id}`, 'get', ['response']],
      [`${API}/brands`, 'post', ['request', 'response']],
      [`${API}/me`, 'get', ['response']],
      [`${API}/telegram/link`, 'post', ['response']],
      [`${API}/telegram`, 'get', ['response']],
      [`${API}/subscriptions/create-checkout`, 'post', ['request', 'response']],
      [`${API}/plans`, 'get', ['response']],
      [`${API}/usage`, 'get', ['response']],
    ];
    for (const [path, method, parts] of common) {
      for (const part of parts) expect(withExample(path, method, part), `${method} ${path} ${part}`).toBeDefined();
    }

    // Every example in the document, checked against its schema (component refs resolved).
    const components = JSON.parse(
      JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/'),
    );
    const ajv = newAjv();
    const check = (where: string, schema: any, value: unknown) => {
      const root = {
        ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/')),
        $defs: components,
      };
      const validate = ajv.compile(root);
      return validate(value) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    };
    const problems: string[] = [];
    let checked = 0;
    for (const { path, method, op } of operations(doc)) {
      const media = [
        ...Object.entries<any>(op.requestBody?.content ?? {}).map(([t, m]) => [`request ${t}`, m] as const),
        ...Object.entries<any>(op.responses).flatMap(([status, r]) =>
          Object.entries<any>(r.content ?? {}).map(([t, m]) => [`${status} ${t}`, m] as const),
        ),
      ];
      for (const [where, m] of media) {
        const at = `${method.toUpperCase()} ${path} ${where}`;
        if (m.example !== undefined) {
          checked++;
          problems.push(...check(at, m.schema, m.example));
        }
        for (const [name, e] of Object.entries<any>(m.examples ?? {})) {
          checked++;
          problems.push(...check(`${at} example ${name}`, m.schema, e.value));
        }
      }
    }
    for (const [name, schema] of Object.entries<any>(doc.components.schemas)) {
      for (const e of schema.examples ?? []) {
        checked++;
        problems.push(...check(`components.schemas.${name}`, { $ref: `#/components/schemas/${name}` }, e));
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('declares every path template parameter, and only those, as a path parameter', () => {
    for (const { path, method, op } of operations(doc)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p: any) => p.in === 'path')
        .map((p: any) => {
          expect(p.required, `${method} ${path} ${p.name}`).toBe(true);
          return p.name;
        })
        .sort();
      expect(declared, `${method.toUpperCase()} ${path}`).toEqual(inPath);
    }
  });
});

describe('GET /api/v1/docs', () => {
  const directives = (csp: string) =>
    Object.fromEntries(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name!, values];
      }),
    );

  it('answers the reference page: its own scripts only, under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${local.api}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(res.headers.get('content-security-policy')!);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]); // no inline script, no eval
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['font-src']).toEqual(["'self'", 'data:']);
    expect(csp['connect-src']).toEqual(["'self'", new URL(local.config.apiUrl).origin]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1]!.match(/src="([^"]+)"/)?.[1])).toEqual([
      expect.stringMatching(/^\/api\/v1\/docs\/assets\/scalar-\d+\.\d+\.\d+-[0-9a-f]{12}\.js$/),
      expect.stringMatching(/^\/api\/v1\/docs\/assets\/start-[0-9a-f]+\.js$/),
    ]);
    for (const [, , body] of scripts) expect(body).toBe('');
    // The page names no other host: its document comes from this API, its fonts are the system's.
    expect(html).not.toMatch(/https?:\/\//);
    const config = JSON.parse(
      html.match(/data-configuration="([^"]*)"/)![1]!.replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    );
    expect(config).toMatchObject({
      url: '/api/v1/openapi.json',
      withDefaultFonts: false,
      hideClientButton: true,
      showDeveloperTools: 'never',
      agent: { disabled: true },
      telemetry: false,
    });
    expect(config).not.toHaveProperty('proxyUrl');
  });

  it('serves its scripts for a year under names that change with them, and revalidates them by ETag', async () => {
    const html = await (await fetch(`${local.api}/docs`)).text();
    const [bundle, start] = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    const require = createRequire(import.meta.url);
    const bundleFile = require.resolve('@scalar/api-reference/browser/standalone.js');
    const { version } = JSON.parse(readFileSync(join(dirname(bundleFile), '../../package.json'), 'utf8'));
    expect(bundle).toMatch(
      new RegExp(`^/api/v1/docs/assets/scalar-${version.replaceAll('.', '\\.')}-[0-9a-f]{12}\\.js$`),
    );
    for (const path of [bundle!, start!]) {
      const res = await fetch(`${local.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^(text|application)\/javascript/);
      expect(res.headers.get('cache-control'), path).toMatch(/max-age=31536000\b.*immutable/);
      const etag = res.headers.get('etag');
      expect(etag, path).toBeTruthy();
      const body = await res.text();
      // Scalar's bundle, but for zod's eval probe (see api-reference.ts).
      if (path === bundle) {
        expect(body.length).toBeGreaterThan(readFileSync(bundleFile, 'utf8').length - 100);
        expect(body).toContain(`@scalar/api-reference ${version}`);
        expect(body).not.toContain('new Function(');
      } else expect(body).toContain('createApiReference');
      // (fetch adds `Cache-Control: no-cache` to a conditional request unless one is set; a
      // browser revalidating its copy sends max-age=0.)
      const again = await fetch(`${local.url}${path}`, {
        headers: { 'If-None-Match': etag!, 'Cache-Control': 'max-age=0' },
      });
      expect(again.status, `${path} revalidated`).toBe(304);
    }
    const missing = await fetch(`${local.api}/docs/assets/scalar-0.0.0.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('NOT_FOUND');
  });
});

describe('with Clerk configured', () => {
  let clerk: Served;
  beforeAll(async () => {
    clerk = await serve(clerkEnv(newKeyPair()));
  });
  afterAll(() => clerk?.close());

  it('has no local sign-in: not in the document, not served (404)', async () => {
    const res = await fetch(`${clerk.api}/openapi.json`);
    expect(res.status).toBe(200);
    const clerkDoc: any = await res.json();
    expect(Object.keys(clerkDoc.paths)).not.toContain(`${API}/dev/session`);
    expect(JSON.stringify(clerkDoc)).not.toContain('createLocalSession');
    await expect(SwaggerParser.validate(structuredClone(clerkDoc))).resolves.toBeTruthy();

    const served = [...expressRoutes(clerk.app)].filter((r) => r.split(' ')[1]!.startsWith(`${API}/`)).sort();
    expect(served).not.toContain('POST /api/v1/dev/session');
    expect([...documentedRoutes(clerkDoc)].sort()).toEqual(served);

    const signIn = await client(clerk.api).post('/dev/session', { email: 'someone@example.com' });
    expect(signIn.status).toBe(404);
    expect(signIn.body.error.code).toBe('NOT_FOUND');
    expect(signIn.body).not.toHaveProperty('token');

    // Nor in the guide, the tags or the security scheme.
    expect(clerkDoc.info.description).not.toContain('/dev/session');
    expect(clerkDoc.tags.map((t: any) => t.name)).not.toContain('Local sign-in');
    expect(clerkDoc.components.securitySchemes.bearerAuth.description).not.toContain('/dev/session');
  });
});
