// The web app on APP_URL calls the API on another origin with a bearer token: its preflight is
// answered for that origin only, and the browser may cache the answer for ten minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { APP_URL: 'http://localhost:3000' } });
});
afterAll(() => app.close());

const preflight = (origin: string) =>
  fetch(`${app.api}/posts`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
    },
  });

describe('CORS for the web app', () => {
  it('answers the app origin’s preflight with the headers it asked for and a 600 s max age', async () => {
    const res = await preflight('http://localhost:3000');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type,idempotency-key');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('does not allow another origin', async () => {
    const res = await preflight('http://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
