// The production logger never writes credentials or signatures: the headers that carry them are
// redacted wherever a request is logged (the access log writes `req.headers`).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../backend/src/lib/logger.ts';

describe('logger', () => {
  it('redacts Authorization, cookies, webhook signatures, idempotency keys and secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ isProduction: true, logLevel: 'info', nodeEnv: 'production' }, 'web', sink);
    const secrets = {
      authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.secret-session',
      cookie: '__session=secret-cookie',
      'stripe-signature': 't=1,v1=secret-stripe-signature',
      'svix-signature': 'v1,secret-svix-signature',
      'x-telegram-bot-api-secret-token': 'secret-telegram-token',
      'idempotency-key': 'secret-idempotency-key',
    };
    logger.info(
      { req: { method: 'POST', url: '/api/v1/x', headers: { ...secrets, accept: 'application/json' } } },
      'request',
    );
    logger.info(
      { client: { token: 'value-of-a-token', password: 'value-of-a-password', secret: 'value-of-a-secret' } },
      'config',
    );

    const out = lines.join('');
    for (const value of [...Object.values(secrets), 'value-of-a-token', 'value-of-a-password', 'value-of-a-secret']) {
      expect(out).not.toContain(value);
    }
    const [request] = lines.map((l) => JSON.parse(l) as { req: { headers: Record<string, string> } });
    expect(request!.req.headers).toMatchObject({ authorization: '[redacted]', accept: 'application/json' });
  });
});
