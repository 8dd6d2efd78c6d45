// Shared by the OWASP API Top 10 files under tests/security/: the app's own OpenAPI document as
// the list of what to attack, Express's route table as the list of what is really served, and a
// fingerprint of every table to prove that a refused request wrote nothing.
//
// The map of the suite (OWASP API Security Top 10, 2023):
//   API1 BOLA                      api1-bola.test.ts
//   API2 authentication            api2-authentication.test.ts
//   API3 property level            api3-property-level.test.ts
//   API4 resource consumption      refund-farming, post-caps, per-user-limits, sse-limits,
//                                  fair-delivery, webhook-bodies (.test.ts)
//   API5 function level            api5-function-level.test.ts
//   API6 sensitive flows           api6-sensitive-flows.test.ts
//   API7 SSRF                      media-ssrf.test.ts
//   API8 misconfiguration          api8-misconfiguration.test.ts, production-guards, log-secrets,
//                                  job-error-leaks (.test.ts)
//   API9 inventory                 api9-inventory.test.ts
//   API10 unsafe consumption       fal-output.test.ts
//   fuzzing of every route         fuzz.test.ts, bad-input.test.ts
import type { Express } from 'express';
import { expect } from 'vitest';
import type { Db } from '../../backend/src/lib/db.ts';
import type { TestApp } from '../helpers/app.ts';

export const API = '/api/v1';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface Operation {
  method: string;
  /** OpenAPI template, e.g. `/api/v1/posts/{id}`. */
  path: string;
  /** `GET /api/v1/posts/{id}`. */
  key: string;
  op: any;
  isPublic: boolean;
  pathParams: string[];
  /** The JSON request body's schema, component references resolved one level. */
  body?: any;
}

/** The document the app serves (not the committed copy: the one this configuration answers). */
export async function servedDocument(app: TestApp): Promise<any> {
  const res = await fetch(`${app.api}/openapi.json`);
  expect(res.status).toBe(200);
  return res.json();
}

export function resolveSchema(doc: any, schema: any): any {
  if (schema?.$ref) return doc.components.schemas[schema.$ref.split('/').pop()];
  return schema;
}

export function operations(doc: any): Operation[] {
  return Object.entries<any>(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => {
      const op = item[method];
      const json = op.requestBody?.content?.['application/json']?.schema;
      return {
        method,
        path,
        key: `${method.toUpperCase()} ${path}`,
        op,
        isPublic: Array.isArray(op.security) && op.security.length === 0,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        ...(json ? { body: resolveSchema(doc, json) } : {}),
      };
    }),
  );
}

/** Express 5 path syntax (`/posts/:id`, `/files/*rest`) in OpenAPI's template syntax. */
const templated = (path: string) => path.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');

export interface ServedRoutes {
  /** `METHOD /template` for every route layer (router.get(...) and friends). */
  routes: Set<string>;
  /**
   * Middleware mounted with `use(path, ...)` on a path other than `/` that is not a router:
   * static folders, asset servers, prefix limiters. Each can answer requests (or shape them)
   * without being a route, so each must be accounted for by name.
   */
  mounts: Set<string>;
}

/** Reads the app's router stack (recursively through mounted routers). */
export function servedRoutes(app: Express): ServedRoutes {
  const routes = new Set<string>();
  const mounts = new Set<string>();
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      const raw: unknown = layer.rawPath ?? layer.route?.path;
      const paths = (Array.isArray(raw) ? raw : [raw]) as unknown[];
      for (const path of paths) {
        if (typeof path !== 'string') throw new Error(`a route path that is not a string: ${String(path)}`);
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) {
            routes.add(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${templated(prefix + path)}`);
          }
        } else if (Array.isArray(layer.handle?.stack)) {
          walk(layer.handle.stack, prefix + (path === '/' ? '' : path));
        } else if (path !== '/') {
          mounts.add(`${templated(prefix + path)} (${layer.name || 'anonymous'})`);
        }
      }
    }
  };
  walk((app as any).router.stack, '');
  return { routes, mounts };
}

/** Puts concrete values into an OpenAPI path template. */
export function fill(path: string, values: Record<string, string>): string {
  return path.slice(API.length).replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

/**
 * One hash per table of the public schema, over every row: any insert, update or delete, in any
 * table (including ones added after this test was written), changes it.
 */
export async function fingerprint(db: Db): Promise<Record<string, string>> {
  const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'
      ORDER BY table_name`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    const [row] = await db.$queryRawUnsafe<Array<{ n: number; h: string | null }>>(
      `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${quoted} t`,
    );
    out[name] = `${row!.n}:${row!.h ?? ''}`;
  }
  return out;
}

/** Collects every key, at any depth, of a JSON value. */
export function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

/** Every property name a schema (and the schemas it refers to) can carry. */
export function schemaProperties(doc: any, schema: any, out = new Set<string>(), seen = new Set<any>()): Set<string> {
  const s = resolveSchema(doc, schema);
  if (!s || typeof s !== 'object' || seen.has(s)) return out;
  seen.add(s);
  for (const [name, sub] of Object.entries<any>(s.properties ?? {})) {
    out.add(name);
    schemaProperties(doc, sub, out, seen);
  }
  for (const key of ['items', 'additionalProperties', 'not']) if (s[key]) schemaProperties(doc, s[key], out, seen);
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
    for (const sub of s[key] ?? []) schemaProperties(doc, sub, out, seen);
  return out;
}
