// The access log over real HTTP: one line per request at the level its status calls for, the
// request id and redacted headers in it, probes quiet, and nothing written below the level.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { accessLog } from '../../backend/src/http/access-log.ts';
import { requestId } from '../../backend/src/http/request-id.ts';
import { createLogger } from '../../backend/src/lib/logger.ts';
import { until } from '../helpers/wait.ts';

interface Line {
  level: number;
  msg: string;
  req: { id: string; method: string; url: string; headers: Record<string, string> };
  res: { statusCode: number };
  responseTime: number;
}

const servers: Array<{ close: () => void }> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(level: 'info' | 'warn') {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  const logger = createLogger({ isProduction: true, logLevel: level, nodeEnv: 'production' }, 'web', sink);
  const app = express();
  app.use(requestId(), accessLog(logger));
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  app.get('/ok', (_req, res) => void res.json({ ok: true }));
  app.get('/missing', (_req, res) => void res.status(404).json({}));
  app.get('/broken', (_req, res) => void res.status(500).json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => server.close() });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, lines };
}

/** The development logger (what `npm start` shows), its lines without colours. */
async function serveForPeople() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...stripVTControlCharacters(chunk.toString()).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ isProduction: false, logLevel: 'info', nodeEnv: 'development' }, 'web', sink);
  const app = express();
  app.use(requestId(), accessLog(logger.child({})));
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  app.get('/api/v1/me', (_req, res) => void res.json({ ok: true }));
  app.get('/missing', (_req, res) => void res.status(404).json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => server.close() });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines, logger };
}

describe('access log', () => {
  it('writes one info line per request with the id, status and redacted headers; probes stay quiet', async () => {
    const { base, lines } = await serve('info');
    await fetch(`${base}/health`);
    const res = await fetch(`${base}/ok?x=1`, { headers: { Authorization: 'Bearer secret-token-value' } });
    const line = await until('the access line', () => lines.find((l) => l.req.url === '/ok?x=1'));

    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: res.headers.get('x-request-id'), method: 'GET', url: '/ok?x=1' },
      res: { statusCode: 200 },
    });
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.responseTime).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toContain('secret-token-value');
    expect(lines.filter((l) => l.req.url === '/health')).toEqual([]);
  });

  it('logs 4xx as warn and 5xx as error, and writes nothing below the configured level', async () => {
    const { base, lines } = await serve('warn');
    await fetch(`${base}/ok`);
    await fetch(`${base}/missing`);
    await fetch(`${base}/broken`);
    await until('two lines', () => lines.length >= 2);

    expect(lines.map((l) => [l.req.url, l.level])).toEqual([
      ['/missing', 40],
      ['/broken', 50],
    ]);
  });

  it('writes one short line per request for a person at a terminal (no headers), and any entry on one line', async () => {
    const { base, lines, logger } = await serveForPeople();
    await fetch(`${base}/health`);
    await fetch(`${base}/api/v1/me?x=1`, { headers: { Authorization: 'Bearer secret-token-value' } });
    await fetch(`${base}/missing`);
    await until('two lines', () => lines.length >= 2);
    logger.info({ purged: { idempotencyKeys: 0, linkCodes: 0 } }, 'purged expired rows');

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[[\d:.]+\] INFO \(web\): GET \/api\/v1\/me\?x=1 200 \d+ms$/);
    expect(lines[1]).toMatch(/^\[[\d:.]+\] WARN \(web\): GET \/missing 404 \d+ms$/);
    expect(lines[2]).toContain('purged expired rows');
    expect(lines[2]).toContain('"linkCodes":0');
    expect(lines.join('\n')).not.toContain('secret-token-value');
  });
});
