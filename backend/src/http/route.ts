// Routes are declared once, with their schemas: the same declaration validates the request,
// strips the response to its schema (so Stripe ids, chat ids or internal flags can never leak) and
// generates the OpenAPI document. A route's handler gets parsed input and returns its result.
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../lib/errors.js';
import { assertStorableText, capped, parseOr400 } from './validation.js';

/** What a route without a query or body schema accepts: nothing (an empty object). */
const NONE = z.strictObject({});

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express path relative to the router it is mounted on, e.g. `/posts/:id`. */
  path: string;
  operationId: string;
  /** A few words: the reference's sidebar shows it. */
  summary: string;
  /** Documentation only: the details, in Markdown. */
  description?: string;
  tag: string;
  /** Needs a signed-in user (default true). */
  auth?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The handler reads the raw body bytes itself (webhooks: signatures cover the exact bytes). */
  rawBody?: boolean;
  /** Success status (default 200) and body schema; no schema for 204. */
  status?: number;
  response?: R;
  /** A response that is not JSON, written by the handler itself (documents it). */
  rawResponse?: { mediaType: string; description: string };
  /** Documentation only: an example request body and success response (checked against the schemas by a test). */
  examples?: { body?: z.input<B>; response?: z.input<R> };
  /** Error codes this route can answer besides the ones every route can (400, 401, 429, 500). */
  errors?: readonly ErrorCode[];
  /** Extra request headers worth documenting (e.g. Idempotency-Key). */
  headers?: ReadonlyArray<{ name: string; description: string; required?: boolean }>;
  /** Middleware run before validation (e.g. a per-user rate limit). */
  before?: readonly RequestHandler[];
  /** A malformed path parameter is 404, exactly like a missing resource (ids are opaque). */
  paramsNotFound?: boolean;
}

export interface HandlerInput<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
}

type Handler<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> = (
  input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>,
) => Promise<z.input<R> | undefined> | z.input<R> | undefined;

export interface RegisteredRoute {
  spec: RouteSpec;
  /** The path as mounted, e.g. `/api/v1/posts/:id`. */
  fullPath: string;
}

/** A body is there when it has a length or is chunked (an empty POST has Content-Length: 0). */
const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/** A JSON route refuses a body of another type instead of reading it as no body at all. */
function assertJsonBody(req: Request): void {
  if (!hasBody(req) || req.is('application/json')) return;
  const type = req.headers['content-type'];
  throw new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Send the body as JSON, with Content-Type: application/json (it was ${type ? capped(type, 60) : 'not given'}).`,
  );
}

/** Collects routes for one Express router and remembers them for the OpenAPI document. */
export class RouteTable {
  readonly routes: RegisteredRoute[] = [];

  constructor(
    private readonly router: Router,
    private readonly basePath: string,
    private readonly authenticate: RequestHandler[],
  ) {}

  add<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
    spec: RouteSpec<P, Q, B, R>,
    handler: Handler<P, Q, B, R>,
  ): void {
    const status = spec.status ?? 200;
    const run = async (req: Request, res: Response) => {
      // Before any schema: text no column can hold is a 400 naming the field on every route.
      assertStorableText(req.params, 'params');
      assertStorableText(req.query, 'query');
      if (!spec.rawBody) {
        assertJsonBody(req);
        assertStorableText(req.body, 'body');
      }
      let params: z.output<P>;
      try {
        params = spec.params ? parseOr400(spec.params, req.params, 'params') : ({} as z.output<P>);
      } catch (err) {
        if (spec.paramsNotFound !== false) throw new AppError('NOT_FOUND', 'Not found.');
        throw err;
      }
      // A route that declares no query or body still rejects one it was sent (unknown fields are
      // 400 everywhere), rather than ignoring what the caller meant.
      const query = parseOr400(spec.query ?? NONE, req.query, 'query') as z.output<Q>;
      const body = spec.rawBody
        ? ({} as z.output<B>)
        : (parseOr400(spec.body ?? NONE, req.body ?? {}, 'body') as z.output<B>);
      const result = await handler({ req, res, params, query, body });
      if (res.headersSent) return; // the handler answered itself (streams, redirects)
      if (!spec.response) {
        res.status(status).end();
        return;
      }
      res.status(status).json(spec.response.parse(result));
    };
    const chain = [...(spec.auth === false ? [] : this.authenticate), ...(spec.before ?? []), run];
    const known = this.routes.some((r) => r.spec.path === spec.path);
    this.router[spec.method](spec.path, ...chain);
    this.routes.push({ spec: spec, fullPath: `${this.basePath}${spec.path}` });
    if (!known) this.router.use(spec.path, this.methodNotAllowed(spec.path));
  }

  /** The methods `path` answers (HEAD wherever GET is), as `Allow` lists them. */
  allowedMethods(path: string): string[] {
    const methods = new Set(this.routes.filter((r) => r.spec.path === path).map((r) => r.spec.method.toUpperCase()));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  /**
   * Runs after the first route of `path` (as plain middleware, not a route: the document lists
   * only real operations). A request for exactly this path whose method no route of it takes is
   * 405 with `Allow`, not the 404 of a path that does not exist. The methods are read at request
   * time, so routes of the same path added later count.
   */
  private methodNotAllowed(path: string): RequestHandler {
    return (req, res, next) => {
      // `use` matches prefixes: `/posts/:id` also sees `/posts/1/schedule` (req.path `/schedule`).
      if (req.path !== '/' && req.path !== '') return next();
      const allow = this.allowedMethods(path);
      if (allow.includes(req.method)) return next();
      res.setHeader('Allow', allow.join(', '));
      next(
        new AppError(
          'METHOD_NOT_ALLOWED',
          `${capped(req.method, 20)} is not allowed on ${this.basePath}${path}; it allows ${allow.join(', ')}.`,
        ),
      );
    };
  }
}
