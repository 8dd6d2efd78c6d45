// GET /api/v1/openapi.json (OpenAPI 3.1) and GET /api/v1/docs (a readable reference), both made
// from the same route declarations that validate requests.
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors.js';
import type { RegisteredRoute } from './route.js';

/** Every route can answer these. */
const COMMON_ERRORS: ErrorCode[] = ['VALIDATION_ERROR', 'RATE_LIMITED', 'INTERNAL_ERROR'];
/** What a 429 carries (express-rate-limit, IETF draft 8 headers). */
const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until the budget allows a request again.', schema: { type: 'integer' } },
  RateLimit: {
    description: 'The remaining budget and its reset, per the IETF RateLimit draft.',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': { description: 'The limit and its window.', schema: { type: 'string' } },
};

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  serverUrl: string;
}

export function buildOpenApi(routes: RegisteredRoute[], info: OpenApiInfo) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { spec, fullPath } of routes) {
    const path = fullPath.replace(/:([A-Za-z_]+)/g, '{$1}');
    const errors = [
      ...new Set([
        ...(spec.auth === false ? [] : (['UNAUTHORIZED'] as ErrorCode[])),
        ...(spec.errors ?? []),
        ...COMMON_ERRORS,
        // Any route that reads a body can be sent one over the limit (JSON 100 kB, webhooks 1 MB).
        ...(spec.body || spec.rawBody ? (['PAYLOAD_TOO_LARGE'] as ErrorCode[]) : []),
      ]),
    ];
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of errors) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
    const status = spec.status ?? 200;
    const responses: Record<string, unknown> = {
      [status]: spec.response
        ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
        : spec.rawResponse
          ? {
              description: spec.rawResponse.description,
              content: { [spec.rawResponse.mediaType]: { schema: { type: 'string' } } },
            }
          : { description: 'Success (no body)' },
    };
    for (const [code, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[code] = {
        description: codes.join(', '),
        ...(code === 429 ? { headers: RATE_LIMIT_HEADERS } : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      operationId: spec.operationId,
      summary: spec.summary,
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
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Clerk session token.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'requestId'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
                message: { type: 'string' },
                details: { type: 'object', additionalProperties: true },
              },
            },
            requestId: { type: 'string' },
          },
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function successBody(status: string, content: Record<string, { schema: unknown }> | undefined): string {
  if (!content || !status.startsWith('2')) return '';
  return Object.entries(content)
    .map(
      ([type, { schema }]) =>
        `<div><code>${escape(type)}</code></div><pre>${escape(JSON.stringify(schema, null, 2))}</pre>`,
    )
    .join('');
}

/** A plain, dependency-free HTML reference of the document. */
export function renderDocs(doc: OpenApiDocument): string {
  const sections = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods) as Array<[string, Record<string, unknown>]>) {
      const tag = (op.tags as string[])[0] ?? 'other';
      const params = (op.parameters as Array<{ name: string; in: string; required: boolean; schema: unknown }>) ?? [];
      const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content[
        'application/json'
      ]?.schema;
      const responses = op.responses as Record<
        string,
        { description: string; content?: Record<string, { schema: unknown }> }
      >;
      const html = [
        `<section id="${escape(String(op.operationId))}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>`,
        `<p>${escape(String(op.summary))}${op.security ? ' <em>(public)</em>' : ''}</p>`,
        params.length
          ? `<h4>Parameters</h4><ul>${params.map((p) => `<li><code>${escape(p.name)}</code> (${p.in}${p.required ? ', required' : ''}): <code>${escape(JSON.stringify(p.schema))}</code></li>`).join('')}</ul>`
          : '',
        body ? `<h4>Body</h4><pre>${escape(JSON.stringify(body, null, 2))}</pre>` : '',
        `<h4>Responses</h4><ul>${Object.entries(responses)
          .map(([status, r]) => `<li><b>${status}</b> ${escape(r.description)}${successBody(status, r.content)}</li>`)
          .join('')}</ul></section>`,
      ].join('\n');
      sections.set(tag, [...(sections.get(tag) ?? []), html]);
    }
  }
  const toc = [...sections.keys()].map((t) => `<a href="#tag-${escape(t)}">${escape(t)}</a>`).join(' · ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(doc.info.title)} API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
pre{background:#f5f5f7;padding:.75rem;overflow:auto;font-size:12px}code{font-size:13px}.m{display:inline-block;min-width:4.5em;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff;background:#555}
.get{background:#1a7f37}.post{background:#0969da}.patch{background:#9a6700}.delete{background:#cf222e}section{border-top:1px solid #ddd;padding-top:.5rem}</style></head>
<body><h1>${escape(doc.info.title)} API v${escape(doc.info.version)}</h1><p>${escape(doc.info.description)}</p>
<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI ${doc.openapi}). Errors use one envelope: <code>{ "error": { "code", "message", "details"? }, "requestId" }</code>.</p>
<nav>${toc}</nav>
${[...sections].map(([tag, ops]) => `<h2 id="tag-${escape(tag)}">${escape(tag)}</h2>${ops.join('\n')}`).join('\n')}
</body></html>`;
}
