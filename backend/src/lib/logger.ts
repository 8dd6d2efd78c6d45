// pino: JSON lines in production (one object per line for the log shipper), readable lines in
// development: one line per entry (objects inline), and the access log writes a short line per
// request (`writesForPeople`). Headers that carry credentials or signatures are redacted wherever
// they appear, and every configured secret, Bot API token and URL password is scrubbed from each
// whole line before it is written (a driver's error message or stack can hold any of them: grammY's
// network errors carry `…/bot<token>/getMe`).
import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { createScrubber } from './secrets.js';

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

const FOR_PEOPLE = Symbol('postaify.logger.forPeople');

/**
 * True for the development logger, whose lines a person reads in a terminal (as opposed to JSON
 * lines for a log shipper); child loggers inherit it from their parent.
 */
export function writesForPeople(logger: Logger): boolean {
  return (logger as unknown as Record<symbol, unknown>)[FOR_PEOPLE] === true;
}

/**
 * `destination`: where the lines go (default stdout). `config.secrets`: the values to scrub (the
 * parsed configuration's; the token and URL-password patterns apply without them).
 */
/** What the logger reads of the parsed configuration (lib/ stays below config/: a shape, not an import). */
export interface LoggerSettings {
  isProduction: boolean;
  logLevel: string;
  nodeEnv: string;
  secrets?: readonly string[];
}

export function createLogger(config: LoggerSettings, name: string, destination?: NodeJS.WritableStream): Logger {
  const scrub = createScrubber(config.secrets);
  const options = {
    name,
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The serialised line: pino has already written messages, stacks with their causes
    // (`caused by:`), an AggregateError's members and every other field into it, so nothing
    // escapes a scrub here, whichever key or depth a value was logged under.
    hooks: { streamWrite: scrub },
  };
  if (config.isProduction || config.nodeEnv === 'test') return destination ? pino(options, destination) : pino(options);
  // Pretty-printed in this thread: a pino transport would start a worker thread per process.
  const logger = pino(
    options,
    PinoPretty({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
      ...(destination ? { destination } : {}),
    }),
  );
  Object.defineProperty(logger, FOR_PEOPLE, { value: true });
  return logger;
}
