// GET / on the API: a browser gets a small HTML page that points to the reference, the OpenAPI
// document, /health and the web app; every other client keeps the JSON 404 envelope, which
// points to the docs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';

const APP_URL = 'https://app.postaify.example';
// What Chrome and Firefox send for a page.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { APP_URL } });
});
afterAll(() => app?.close());

/** The directives of a Content-Security-Policy header, by name. */
const directives = (csp: string | null) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values]),
  );

describe('GET / on the API', () => {
  it('shows a browser a small page that links the docs, the OpenAPI document, /health and the web app', async () => {
    const res = await fetch(`${app.url}/`, { headers: { Accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers.get('vary')).toMatch(/\bAccept\b/);
    const html = await res.text();
    expect(html).toMatch(/<title>Postaify API<\/title>/);
    expect(html).toMatch(/<h1>Postaify API<\/h1>/);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.sort()).toEqual(['/api/v1/docs', '/api/v1/openapi.json', '/health', APP_URL].sort());

    // Every link on the API answers.
    for (const path of ['/api/v1/docs', '/api/v1/openapi.json', '/health']) {
      expect((await fetch(`${app.url}${path}`)).status, path).toBe(200);
    }
  });

  it('needs nothing that helmet’s Content-Security-Policy refuses: no script, no outside asset', async () => {
    const res = await fetch(`${app.url}/`, { headers: { Accept: BROWSER_ACCEPT } });
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bon[a-z]+=|javascript:|@import|url\(/i);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    // The page's one <style> element is an inline style.
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
  });

  it('answers HEAD like GET', async () => {
    const res = await fetch(`${app.url}/`, { method: 'HEAD', headers: { Accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('keeps the JSON 404 envelope for JSON clients and */*, pointing to the docs', async () => {
    for (const accept of ['application/json', '*/*', 'application/json, text/html;q=0.5']) {
      const res = await fetch(`${app.url}/`, { headers: { Accept: accept, 'X-Request-Id': 'home-json' } });
      expect(res.status, accept).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        error: {
          code: 'NOT_FOUND',
          message:
            'No route for GET /. The API is under /api/v1: its reference is /api/v1/docs, its OpenAPI document /api/v1/openapi.json.',
          details: { docs: '/api/v1/docs', openapi: '/api/v1/openapi.json', health: '/health' },
        },
        requestId: 'home-json',
      });
    }
    const post = await fetch(`${app.url}/`, { method: 'POST', headers: { Accept: BROWSER_ACCEPT } });
    expect(post.status).toBe(404);
    expect(((await post.json()) as any).error).toEqual({ code: 'NOT_FOUND', message: 'No route for POST /.' });
  });
});
