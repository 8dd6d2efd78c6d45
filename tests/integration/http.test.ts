// The web skeleton over HTTP: envelope, request ids, body limits, security headers, CORS.
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../backend/src/http/error-handler.ts';
import { requestId } from '../../backend/src/http/request-id.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { silentLogger } from '../helpers/logger.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { APP_URL: 'https://app.postaify.example' } });
});
afterAll(() => app?.close());

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('web skeleton', () => {
  it('GET /health answers 200 with a request id', async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(uuid);
  });

  it('GET /ready answers 200 when Postgres and Redis answer', async () => {
    const res = await fetch(`${app.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('echoes a safe inbound X-Request-Id and replaces an unsafe one', async () => {
    const safe = await fetch(`${app.url}/health`, { headers: { 'X-Request-Id': 'lb-1234.abc:def' } });
    expect(safe.headers.get('x-request-id')).toBe('lb-1234.abc:def');
    const unsafe = await fetch(`${app.url}/health`, { headers: { 'X-Request-Id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(uuid);
    const tooLong = await fetch(`${app.url}/health`, { headers: { 'X-Request-Id': 'x'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(uuid);
    const longest = await fetch(`${app.url}/health`, { headers: { 'X-Request-Id': 'x'.repeat(128) } });
    expect(longest.headers.get('x-request-id')).toBe('x'.repeat(128));
  });

  it('answers an unknown route with 404 NOT_FOUND in the envelope', async () => {
    const res = await fetch(`${app.url}/api/v1/nothing-here`, { headers: { 'X-Request-Id': 'req-404' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /api/v1/nothing-here.' },
      requestId: 'req-404',
    });
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    const res = await fetch(`${app.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"content": "unterminated',
    });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
  });

  it('answers a body over 100 kB with 413 PAYLOAD_TOO_LARGE, and takes one just under it', async () => {
    const big = JSON.stringify({ content: 'x'.repeat(101 * 1024) });
    const res = await fetch(`${app.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');

    const fits = JSON.stringify({ content: 'x'.repeat(99 * 1024) });
    const ok = await fetch(`${app.url}/api/v1/anything`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: fits,
    });
    expect(ok.status).toBe(404); // parsed fine; there is simply no such route yet
  });

  it('sends helmet security headers and no X-Powered-By', async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('allows CORS from APP_URL only', async () => {
    const allowed = await fetch(`${app.url}/health`, { headers: { Origin: 'https://app.postaify.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.postaify.example');
    const other = await fetch(`${app.url}/health`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('compresses large responses when asked', async () => {
    // The OpenAPI document is large (an error's echo of a long path is capped, so no longer is).
    const res = await fetch(`${app.url}/api/v1/openapi.json`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
  });
});

describe('error middleware', () => {
  it('turns an unexpected error into a bare 500 with no internals', async () => {
    const probe = express();
    probe.use(requestId());
    probe.get('/boom', () => {
      throw new Error(
        'duplicate key value violates unique constraint "User_pkey" at SELECT * FROM "User" password=hunter2',
      );
    });
    probe.use(errorHandler(silentLogger));
    const server = createServer(probe).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/boom`, {
        headers: { 'X-Request-Id': 'req-500' },
      });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side. It has been logged.' },
        requestId: 'req-500',
      });
      expect(text).not.toMatch(/unique constraint|SELECT|hunter2|at /);
    } finally {
      server.close();
    }
  });
});
