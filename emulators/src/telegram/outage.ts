// A Telegram outage for a while, as tests need one ("answer 502 to everything for the next 60 s"):
// unlike the fault queue (a number of hits), it lasts a time, whatever the client does meanwhile.
// Every Bot API call (or those whose path contains `path`) is answered `status` until it ends:
// Telegram's JSON error body by default, or an HTML error page (`html`), as the proxy in front of
// the Bot API answers when the Bot API itself is down. A 429 carries the time left as retry_after.
import { STATUS_TEXT } from '../http.js';
import { BotApiError, errors } from './errors.js';

export interface Outage {
  status: number;
  /** Epoch ms when it ends. */
  untilMs: number;
  path?: string;
  html: boolean;
  /** Calls answered by it so far. */
  answered: number;
}

export interface OutageInput {
  status?: unknown;
  seconds?: unknown;
  path?: unknown;
  html?: unknown;
}

/** Validates a control request's outage (Error → 400); `seconds: 0` ends the current one. */
export function parseOutage(input: OutageInput, now = Date.now()): Outage | undefined {
  const { status = 502, seconds, path, html = false } = input;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)
    throw new Error('status must be an HTTP error status (400-599)');
  if (typeof seconds !== 'number' || !(seconds >= 0)) throw new Error('seconds must be a number >= 0');
  if (path !== undefined && typeof path !== 'string') throw new Error('path must be a string');
  if (typeof html !== 'boolean') throw new Error('html must be a boolean');
  if (seconds === 0) return undefined;
  return { status, untilMs: now + seconds * 1000, ...(path ? { path } : {}), html, answered: 0 };
}

/** The outage's answer to a call to `target` (path and query), or undefined when none applies now. */
export function outageAnswer(
  outage: Outage | undefined,
  target: string,
  now = Date.now(),
): { error: BotApiError; html?: string } | undefined {
  if (!outage || now >= outage.untilMs) return undefined;
  if (outage.path !== undefined && !target.includes(outage.path)) return undefined;
  outage.answered += 1;
  const text = STATUS_TEXT[outage.status] ?? 'Error';
  const error =
    outage.status === 429
      ? errors.tooManyRequests(Math.max(1, Math.ceil((outage.untilMs - now) / 1000)))
      : new BotApiError(outage.status, text);
  if (!outage.html) return { error };
  const page = `<html>\r\n<head><title>${outage.status} ${text}</title></head>\r\n<body>\r\n<center><h1>${outage.status} ${text}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n`;
  return { error, html: page };
}
