// What a Bot API failure means for us. Telegram's answers: 403 "bot was blocked by the user" /
// "user is deactivated" and 400 "chat not found" are permanent for that chat; 400 "group chat was
// upgraded to a supergroup chat" carries the new id; 429 carries retry_after (seconds); other 400s
// (e.g. "can't parse entities") are a problem with that message only.
import { GrammyError, HttpError } from 'grammy';

export type TelegramFailure =
  | { kind: 'unreachable'; description: string; code: number }
  | { kind: 'migrated'; toChatId: bigint; description: string; code: number }
  | { kind: 'rate-limited'; retryAfterS: number; description: string; code: number }
  | { kind: 'bad-request'; description: string; code: number }
  | { kind: 'server'; description: string; code: number }
  | { kind: 'network'; description: string; code?: undefined };

const UNREACHABLE = [
  /bot was blocked by the user/i,
  /user is deactivated/i,
  /chat not found/i,
  /bot was kicked/i,
  /not enough rights/i,
];

export function classifyTelegramError(err: unknown): TelegramFailure | undefined {
  if (err instanceof GrammyError) {
    const description = err.description;
    const code = err.error_code;
    if (code === 429) return { kind: 'rate-limited', retryAfterS: err.parameters.retry_after ?? 1, description, code };
    if (err.parameters.migrate_to_chat_id !== undefined)
      return { kind: 'migrated', toChatId: BigInt(err.parameters.migrate_to_chat_id), description, code };
    if ((code === 403 || code === 400) && UNREACHABLE.some((r) => r.test(description)))
      return { kind: 'unreachable', description, code };
    if (code >= 500) return { kind: 'server', description, code };
    return { kind: 'bad-request', description, code };
  }
  if (err instanceof HttpError)
    return {
      kind: 'network',
      description: `Telegram did not answer: ${err.message.replace(/bot\d+:[\w-]+/g, 'bot<token>')}`,
    };
  return undefined;
}
