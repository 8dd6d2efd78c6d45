// OWASP API9:2023 Improper Inventory Management: the OpenAPI document the app serves is the whole
// inventory of /api/v1, read against Express's own route table (not against the product's
// RouteTable, which builds the document), in local and in Clerk mode:
// - every served /api/v1 route is documented and every documented operation is served;
// - outside /api/v1 only the probes, /metrics and the browser's page at / are routes (each
//   deliberately outside the document, named below);
// - every middleware mounted on a path (it can answer or shape requests without being a route) is
//   either on a documented path or one of the named prefixes (the per-user limiters, the reference's
//   scripts, local media files);
// - no other API version or unversioned copy answers.
// (tests/integration/api/openapi.test.ts checks the document's content; docs/openapi.json, the
// committed copy, is compared by tests/integration/api/openapi-committed.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { clerkEnv, newKeyPair } from '../helpers/auth.ts';
import { API, operations, servedDocument, servedRoutes } from './owasp-helpers.ts';

/** Routes served outside /api/v1, each on purpose outside the document. */
const OUTSIDE = {
  'GET /': 'a small page for a browser that opens the API (JSON clients get the 404 envelope)',
  'GET /health': 'liveness probe of the platform, touches nothing',
  'GET /ready': 'readiness probe (Postgres and Redis)',
  'GET /metrics': 'Prometheus scrape, METRICS_TOKEN',
};

/** Path-mounted middleware that is not on one documented path, and why it is there. */
const PREFIX_MOUNTS: Record<string, string> = {
  [API]: 'the API router and what applies to all of it',
  [`${API}/ai`]: 'sign-in and the per-user limit of the generation routes',
  [`${API}/images`]: 'sign-in and the per-user media limit',
  [`${API}/voice`]: 'sign-in and the per-user media limit',
  [`${API}/docs/assets`]: 'the reference page’s own scripts (files, not operations)',
  '/media': 'locally stored media (no S3): random keys, no listing',
};

const modes: Array<[string, () => Record<string, string>]> = [
  ['local sign-in', () => ({})],
  ['Clerk', () => clerkEnv(newKeyPair())],
];

describe.each(modes)('API9 inventory (%s)', (_mode, env) => {
  let app: TestApp;
  let documented: string[];
  let served: ReturnType<typeof servedRoutes>;

  beforeAll(async () => {
    app = await startTestApp({ env: env() });
    const doc = await servedDocument(app);
    documented = operations(doc)
      .map((o) => o.key)
      .sort();
    served = servedRoutes(app.app);
  });
  afterAll(() => app?.close());

  it('serves exactly the documented /api/v1 operations', () => {
    const api = [...served.routes].filter((r) => r.split(' ')[1]!.startsWith(`${API}/`)).sort();
    expect(api.length).toBeGreaterThan(30);
    expect(
      api.filter((r) => !documented.includes(r)),
      'served, not documented',
    ).toEqual([]);
    expect(
      documented.filter((r) => !api.includes(r)),
      'documented, not served',
    ).toEqual([]);
    expect(documented.every((r) => r.split(' ')[1]!.startsWith(`${API}/`))).toBe(true);
  });

  it('serves outside /api/v1 only the named routes', () => {
    const outside = [...served.routes].filter((r) => !r.split(' ')[1]!.startsWith(`${API}/`)).sort();
    expect(outside).toEqual(Object.keys(OUTSIDE).sort());
    expect(served.routes.has('ALL *')).toBe(false);
  });

  it('mounts middleware only on documented paths and the named prefixes', () => {
    const documentedPaths = new Set(documented.map((r) => r.split(' ')[1]!));
    const stray = [...served.mounts]
      .map((m) => m.replace(/ \([^)]*\)$/, ''))
      .filter((path) => !documentedPaths.has(path) && !(path in PREFIX_MOUNTS));
    expect(stray).toEqual([]);
    // Every named prefix is still there (a removed one is taken off the list).
    const mounted = new Set([...served.mounts].map((m) => m.replace(/ \([^)]*\)$/, '')));
    for (const prefix of Object.keys(PREFIX_MOUNTS)) {
      if (prefix === '/media' && app.config.storage.mode !== 'local') continue;
      expect(mounted, prefix).toContain(prefix);
    }
  });

  it.each(['/api/v0/plans', '/api/v2/plans', '/v1/plans', '/plans', '/api/plans', '/api/v1.0/plans'])(
    'no other version or unversioned copy answers: GET %s is 404',
    async (path) => {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    },
  );
});

describe('API9 the route walk itself', () => {
  it('sees routes of nested routers and a bare middleware mount (so a stray one cannot hide)', async () => {
    const { default: express } = await import('express');
    const inner = express.Router();
    inner.get('/items/:id', (_req, res) => void res.end());
    const outer = express();
    outer.use('/api/v1', inner);
    outer.use('/backdoor', (_req, res) => void res.end('hi'));
    const { routes, mounts } = servedRoutes(outer);
    expect([...routes]).toEqual(['GET /api/v1/items/{id}']);
    expect([...mounts].map((m) => m.replace(/ \([^)]*\)$/, ''))).toEqual(['/backdoor']);
  });
});
