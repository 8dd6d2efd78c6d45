// The /__control API (JSON) for tests in other processes and for the local stack: act as people on
// Telegram's side, switch on per-chat errors and floods, read what the bot sent, the stats, and
// tune the limits. The fault queue and request recordings behave as in the other emulators.
import type { FaultSpec } from '../faults.js';
import { CHAT_ERROR_KINDS, type ChatErrorKind } from './errors.js';
import { DEFAULT_LIMITS } from './limits.js';
import { parseOutage } from './outage.js';
import { groupMessage, pressButton, userMessage, type TelegramState } from './state.js';
import type { TelegramLimits } from './types.js';

export interface ControlAnswer {
  status: number;
  body: unknown;
}

const ok = (body: unknown, status = 200): ControlAnswer => ({ status, body });

function chatId(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id === 0) throw new Error(`not a chat id: ${JSON.stringify(raw)}`);
  return id;
}

function setLimits(state: TelegramState, body: Record<string, unknown>): TelegramLimits {
  const next = { ...state.limiter.limits };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof TelegramLimits)[]) {
    const value = body[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0)) throw new Error(`${key} must be a number >= 0 (0 = unlimited)`);
    next[key] = value;
  }
  state.limiter.limits = next;
  return next;
}

function addFaults(state: TelegramState, body: unknown): ControlAnswer {
  const specs = Array.isArray(body) ? body : [body ?? {}];
  for (const spec of specs) if (typeof spec !== 'object' || spec === null) throw new Error('a fault is a JSON object');
  for (const spec of specs as FaultSpec[]) state.faults.add(spec);
  return ok({ queued: specs.length, pending: state.faults.pending() }, 201);
}

export function resetState(state: TelegramState): void {
  state.chats.reset();
  state.updates.reset();
  state.media.reset();
  state.limiter.reset();
  state.webhook.set(undefined);
  state.faults.clear();
  state.outage = undefined;
  state.requests.length = 0; // in place: callers may hold the array
}

/** Answers one control request; `path` starts at /__control/. Throws Error → 400. */
export function control(state: TelegramState, method: string, path: string, body: unknown): ControlAnswer {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const [, , area, id, action] = path.split('/'); // '', '__control', area, id?, action?
  const route = `${method} ${area}${id === undefined ? '' : '/:id'}${action === undefined ? '' : `/${action}`}`;
  switch (route) {
    case 'POST users/:id/message':
    case 'POST groups/:id/message': {
      const update = area === 'users' ? userMessage(state, chatId(id), input) : groupMessage(state, chatId(id), input);
      return ok(
        { update_id: update.update_id, chat_id: update.message!.chat.id, message_id: update.message!.message_id },
        201,
      );
    }
    case 'POST users/:id/callback':
    case 'POST groups/:id/callback': {
      const fromId = typeof input.from_id === 'number' ? input.from_id : undefined;
      const update = pressButton(state, chatId(id), Number(input.message_id), input.data, fromId);
      return ok({ update_id: update.update_id, callback_query_id: update.callback_query!.id }, 201);
    }
    case 'POST chats/:id/error': {
      const kind = input.kind as ChatErrorKind;
      if (!CHAT_ERROR_KINDS.includes(kind)) throw new Error(`kind must be one of ${CHAT_ERROR_KINDS.join(', ')}`);
      const migrateTo = input.migrateTo === undefined ? undefined : chatId(input.migrateTo);
      const chat = state.chats.setError(chatId(id), kind, migrateTo);
      return ok({
        chat_id: chat.chat.id,
        error: chat.error,
        ...(chat.migrateTo ? { migrate_to_chat_id: chat.migrateTo } : {}),
      });
    }
    case 'POST chats/:id/flood': {
      const seconds = input.seconds;
      if (typeof seconds !== 'number' || !(seconds >= 0)) throw new Error('seconds must be a number >= 0');
      const chat = state.chats.flood(chatId(id), seconds);
      return ok({ chat_id: chat.chat.id, until_ms: chat.floodUntil });
    }
    case 'GET chats':
      return ok(
        [...state.chats.chats.values()].map((c) => ({
          chat: c.chat,
          error: c.error,
          ...(c.migrateTo ? { migrate_to_chat_id: c.migrateTo } : {}),
          messages: c.history.length,
        })),
      );
    case 'GET chats/:id/messages':
      return ok(state.chats.sent.filter((r) => r.chat_id === chatId(id)));
    case 'GET messages':
      return ok(state.chats.sent);
    case 'GET callbacks':
      return ok(
        [...state.chats.callbacks.values()].map(({ query, answer }) => ({
          id: query.id,
          chat_id: query.message.chat.id,
          message_id: query.message.message_id,
          data: query.data,
          ...(answer ? { answer } : {}),
        })),
      );
    case 'GET updates':
      return ok(state.updates.peek(100));
    case 'GET webhook':
      return ok({ ...state.webhook.info(state.updates.size), delivered: state.webhook.delivered });
    case 'GET stats':
      return ok(state.limiter.stats);
    case 'GET limits':
      return ok(state.limiter.limits);
    case 'POST limits':
      return ok(setLimits(state, input));
    case 'POST reset':
      resetState(state);
      return ok({ ok: true });
    case 'POST outage':
      // { status = 502, seconds, path?, html? }: every Bot API call (whose path contains `path`)
      // is answered `status` for `seconds`; seconds 0 ends it.
      state.outage = parseOutage(input);
      return ok(state.outage ?? { ended: true });
    case 'GET outage':
      return ok(state.outage && state.outage.untilMs > Date.now() ? state.outage : null);
    case 'GET faults':
      return ok(state.faults.pending());
    case 'POST faults':
      return addFaults(state, body);
    case 'GET requests':
      return ok(state.requests);
    default:
      return ok({ error: `no control route ${method} ${path}` }, 404);
  }
}
