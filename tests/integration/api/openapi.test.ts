// GET /api/v1/openapi.json and /api/v1/docs: a valid OpenAPI 3.1 document that lists exactly the
// routes Express serves (read from Express's own route table, not from the product's RouteTable),
// with complete operations; and no local sign-in route once Clerk is configured.
import SwaggerParser from '@apidevtools/swagger-parser';
import { createRequire } from 'node:module';
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
    const requireFromParser = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
    const Ajv2020 = requireFromParser('ajv/dist/2020');
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
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
  it('answers HTML that mentions every documented path', async () => {
    const res = await fetch(`${local.api}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) expect(html, path).toContain(path);
    for (const { op } of operations(doc)) expect(html).toContain(op.operationId);
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

    const html = await (await fetch(`${clerk.api}/docs`)).text();
    expect(html).not.toContain('/dev/session');
  });
});
