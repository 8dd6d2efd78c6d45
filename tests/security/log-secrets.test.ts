// Secrets never reach a log line (OWASP API8, security misconfiguration). A grammY HttpError wraps
// the fetch error whose message and stack hold `…/bot<TOKEN>/getMe`; pino writes nested errors,
// causes and aggregated errors in full. Every configured secret, Bot API token and URL password is
// scrubbed from each whole line, and the Telegram clients never hold the URL in the first place.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { Api, HttpError } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createTelegramApi } from '../../backend/src/integrations/telegram/client.ts';
import { createLogger } from '../../backend/src/lib/logger.ts';
import { classifyTelegramError, logTelegramFailure } from '../../backend/src/integrations/telegram/errors.ts';

// Shaped like real ones: a Bot API token is `<bot id>:<35 characters>`.
const BOT_TOKEN = '7351846290:AAHk3mZq9-Xw_Vb2LpR8sTnYc4UdEfGhIj0';
const STRIPE_KEY = 'sk_live_51PzQ8wLkR2mN4vX7yB9cD3eF';
const DB_PASSWORD = 'pg-pass-9f8e7d6c5b';
const SECRETS = [BOT_TOKEN, STRIPE_KEY, DB_PASSWORD, BOT_TOKEN.split(':')[1]!];

const env = {
  NODE_ENV: 'test',
  POSTAIFY_ENV_FILE: '',
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  STRIPE_SECRET_KEY: STRIPE_KEY,
  DATABASE_URL: `postgresql://postaify:${DB_PASSWORD}@db.internal:5432/postaify`,
};

/** A logger as the processes build it (from the parsed configuration) writing into `lines`. */
function capture(overrides: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({ ...env, ...overrides });
  return { logger: createLogger(config, 'web', sink), out: () => lines.join('') };
}

function expectNoSecret(text: string) {
  expect(text.length).toBeGreaterThan(0);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

let closedPortRoot: string;
let garbage: Server;
let garbageRoot: string;
beforeAll(async () => {
  // A port nothing listens on: open one, note it, close it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPortRoot = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  // A "Bot API" that answers something other than JSON (a proxy's error page).
  garbage = createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway'));
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
  garbageRoot = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => garbage.close(resolve)));

/** A real grammY HttpError from a plain grammY client (not ours): its cause names the URL. */
async function rawHttpError(apiRoot: string): Promise<HttpError> {
  const err = await new Api(BOT_TOKEN, { apiRoot, timeoutSeconds: 5 }).getMe().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HttpError);
  // The premise: what grammY hands us does hold the token.
  expect(inspect(err, { depth: 5 })).toContain(BOT_TOKEN);
  return err as HttpError;
}

describe('secrets in logs', () => {
  it('a grammY HttpError of a refused connection, logged as err, holds no bot token in the line', async () => {
    const { logger, out } = capture();
    logger.error({ err: await rawHttpError(closedPortRoot) }, 'bot handler failed');
    expectNoSecret(out());
    expect(out()).toContain('ECONNREFUSED'); // the reason survives
  });

  it('scrubs the token by its shape when it is not the configured one (a token from elsewhere)', async () => {
    const { logger, out } = capture({ TELEGRAM_BOT_TOKEN: '' });
    const err = await rawHttpError(garbageRoot);
    // Under another key, as a plain field, and as the message itself.
    logger.warn({ error: err, reason: err.error instanceof Error ? err.error.message : '' }, String(err.error));
    expectNoSecret(out());
    expect(out()).toContain('/bot[redacted]');
  });

  it('scrubs secrets from nested causes, AggregateError members, error properties and string fields', () => {
    const { logger, out } = capture();
    const inner = new Error(`Stripe refused key ${STRIPE_KEY}`);
    const aggregate = new AggregateError(
      [new Error(`connect to postgresql://postaify:${DB_PASSWORD}@db.internal failed`), inner],
      'every attempt failed',
    );
    const outer = Object.assign(new Error('checkout failed', { cause: aggregate }), {
      request: { url: `https://api.telegram.org/bot${BOT_TOKEN}/sendMessage` },
    });
    logger.error({ err: outer, note: `retrying with ${STRIPE_KEY}`, nested: { deep: { key: STRIPE_KEY } } }, 'x');
    logger.error({ err: aggregate }, 'every attempt');
    logger.error(`plain message naming ${STRIPE_KEY} and ${DB_PASSWORD}`);
    const text = out();
    expectNoSecret(text);
    // The values were written, and scrubbed where they stood.
    expect(text).toContain('checkout failed');
    expect(text).toContain('/bot[redacted]/sendMessage');
    expect(text).toContain('Stripe refused key [redacted]'); // an AggregateError member
    expect(text).toContain('postgresql://postaify:[redacted]@db.internal');
  });

  it('scrubs the development (pretty) logger too', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({ ...env, NODE_ENV: 'development' });
    const logger = createLogger(config, 'web', sink).child({ component: 'bot' });
    logger.error({ err: await rawHttpError(closedPortRoot) }, `failed with ${STRIPE_KEY}`);
    expectNoSecret(lines.join(''));
  });

  it('our Telegram clients turn a network failure into "Telegram unreachable" with no URL at all', async () => {
    const config = loadConfig({ ...env, TELEGRAM_API_ROOT: closedPortRoot });
    const err = await createTelegramApi(config.telegram)
      .getMe()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const everything = inspect(err, { depth: 10 });
    expect(everything).not.toContain(BOT_TOKEN);
    expect(everything).not.toContain(closedPortRoot);
    expect((err as HttpError).message).toBe('Telegram unreachable: getMe (ECONNREFUSED)');
    expect(classifyTelegramError(err)).toEqual({
      kind: 'network',
      description: 'Telegram unreachable: getMe (ECONNREFUSED)',
      reason: 'ECONNREFUSED',
    });

    const bad = await createTelegramApi(loadConfig({ ...env, TELEGRAM_API_ROOT: garbageRoot }).telegram)
      .getMe()
      .catch((e: unknown) => e);
    expect((bad as HttpError).message).toBe('Telegram unreachable: getMe (invalid-answer)');
    expect(inspect(bad, { depth: 10 })).not.toContain(garbageRoot);

    // At the bot boundary, with a logger that scrubs nothing by value: the line is still clean.
    const { logger, out } = capture({ TELEGRAM_BOT_TOKEN: '', STRIPE_SECRET_KEY: '', DATABASE_URL: '' });
    logTelegramFailure(logger, err, { update: 1 }, 'bot handler failed');
    const line = JSON.parse(out()) as { msg: string; telegram: unknown };
    expect(line.msg).toBe('bot handler failed: Telegram unreachable: getMe (ECONNREFUSED)');
    expect(line.telegram).toEqual({ method: 'getMe', reason: 'ECONNREFUSED' });
    expect(out()).not.toContain('127.0.0.1');
  });
});
