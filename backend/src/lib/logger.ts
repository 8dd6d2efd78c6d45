// pino: JSON lines in production (one object per line for the log shipper), readable lines in
// development. Headers that carry credentials or signatures are redacted wherever they appear.
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { Config } from '../config/index.js';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["svix-signature"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.token',
  '*.secret',
];

/** `destination`: where JSON lines go (default stdout). */
export function createLogger(
  config: Pick<Config, 'isProduction' | 'logLevel' | 'nodeEnv'>,
  name: string,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = { name, level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (config.isProduction || config.nodeEnv === 'test') return destination ? pino(options, destination) : pino(options);
  // Pretty-printed in this thread: a pino transport would start a worker thread per process.
  return pino(
    options,
    PinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }),
  );
}
