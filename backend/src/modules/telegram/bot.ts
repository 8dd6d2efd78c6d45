// The bot's conversation: /start <code> links the private chat, /start alone explains, /status
// lists the next five scheduled posts in the user's time zone, /stop unlinks, /help. The buttons
// of a delivered post mark it posted or snooze it by an hour. Wherever the person has to act in
// the web app, the text names its page (`${APP_URL}/telegram`).
//
// Every handler runs inside an error boundary. In webhook mode (production's) an error that left a
// handler would make POST /webhooks/telegram answer 500, and Telegram would deliver that update
// again and again (grammY's bot.catch serves long polling only): a /help from a chat Telegram then
// refuses to reply to ("chat not found") must not become a loop. The boundary logs and the update
// is answered 200. A reply the reply budget dropped (integrations/telegram/limited-api.ts) is expected: it is
// logged at debug level only.
import type { Bot, BotError, Context } from 'grammy';
import type { Db } from '../../lib/db.js';
import type { Logger } from '../../lib/logger.js';
import { isDroppedReply } from '../../integrations/telegram/limited-api.js';
import { askToMove, registerChatMove } from './chat-move.js';
import type { LinkService } from './telegram.service.js';
import { markPosted, snooze } from './post-actions.js';
import { logTelegramFailure } from '../../integrations/telegram/errors.js';

const helpText = (linkPage: string) =>
  [
    'I deliver the posts you schedule in Postaify, so you can copy them to their platform or listen to them.',
    '',
    `To link this chat, open ${linkPage} and tap “Connect Telegram”.`,
    '/status: your next scheduled posts',
    '/stop: unlink this chat',
    '/help: this message',
  ].join('\n');

const CODE = /^[A-Za-z0-9_-]{1,64}$/;

function when(date: Date, timeZone: string) {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export interface BotDeps {
  db: Db;
  link: LinkService;
  logger: Logger;
  /** The web app's public URL (APP_URL): its /telegram page makes the links. */
  appUrl: string;
}

/** Logged, never thrown on: Telegram's answer, or a network failure, or our own error (scrubbed). */
function onHandlerError(logger: Logger, { error, ctx }: BotError<Context>) {
  const where = { update: ctx.update.update_id, chat: ctx.chat?.id };
  if (isDroppedReply(error)) logger.debug(where, 'bot reply dropped (reply budget)');
  else logTelegramFailure(logger, error, where, 'bot handler failed');
}

export function registerBotHandlers(outer: Bot, { db, link, logger, appUrl }: BotDeps) {
  const bot = outer.errorBoundary((err) => onHandlerError(logger, err));
  const linkPage = `${appUrl}/telegram`;
  const help = helpText(linkPage);
  registerChatMove(bot, { link, linkPage });
  const privateOnly = async (ctx: Context) => {
    if (ctx.chat?.type === 'private') return true;
    await ctx.reply('Please talk to me in a private chat: posts are delivered only there.');
    return false;
  };

  bot.command('start', async (ctx) => {
    if (!(await privateOnly(ctx))) return;
    const code = ctx.match.trim();
    if (!code) {
      await ctx.reply(`Hi! ${help}`);
      return;
    }
    const result = CODE.test(code)
      ? await link.consume(code, {
          chatId: BigInt(ctx.chat.id),
          username: ctx.from?.username,
          firstName: ctx.from?.first_name,
        })
      : ({ ok: false, reason: 'unknown' } as const);
    if (result.ok) {
      await ctx.reply('Linked! Your scheduled Postaify posts will arrive here. /status shows what is next.');
      return;
    }
    if (result.reason === 'confirm') return askToMove(ctx, code, result.email);
    const why = {
      unknown: 'This link is not valid.',
      expired: 'This link has expired (links last 15 minutes).',
      used: 'This link was already used.',
    }[result.reason];
    await ctx.reply(`${why} Create a new one here: ${linkPage}`);
  });

  bot.command('status', async (ctx) => {
    if (!(await privateOnly(ctx))) return;
    const chat = await link.userOfChat(BigInt(ctx.chat.id));
    if (!chat) {
      await ctx.reply(`This chat is not linked. ${help}`);
      return;
    }
    const posts = await db.post.findMany({
      where: { userId: chat.userId, status: 'SCHEDULED' },
      orderBy: { scheduledFor: 'asc' },
      take: 5,
      select: { platform: true, content: true, scheduledFor: true, brand: { select: { name: true } } },
    });
    if (posts.length === 0) {
      await ctx.reply('Nothing is scheduled.');
      return;
    }
    const lines = posts.map((p) => {
      const preview = p.content.length > 60 ? `${p.content.slice(0, 57)}…` : p.content;
      return `• ${when(p.scheduledFor!, chat.user.timezone)} · ${p.platform}${p.brand ? ` · ${p.brand.name}` : ''}\n  ${preview}`;
    });
    await ctx.reply(`Next ${posts.length} scheduled (${chat.user.timezone}):\n\n${lines.join('\n')}`);
  });

  bot.command('stop', async (ctx) => {
    if (!(await privateOnly(ctx))) return;
    const chat = await link.userOfChat(BigInt(ctx.chat.id));
    if (chat) await link.unlink(chat.userId);
    await ctx.reply(
      chat ? `Unlinked. I will not send you posts any more. To link again: ${linkPage}` : 'This chat was not linked.',
    );
  });

  bot.command('help', (ctx) => ctx.reply(help));

  bot.callbackQuery(/^(posted|snooze):([0-9a-f-]{36})$/, async (ctx) => {
    const [, action, postId] = ctx.match;
    const chat = await link.userOfChat(BigInt(ctx.chat?.id ?? 0));
    const outcome = chat
      ? await (action === 'posted' ? markPosted(db, chat.userId, postId!) : snooze(db, chat.userId, postId!))
      : 'gone';
    const text = {
      posted: 'Marked as posted ✅',
      snoozed: 'Snoozed: I will send it again in an hour ⏰',
      gone: 'This post no longer exists.',
      invalid: 'This post cannot be changed any more.',
    }[outcome];
    await ctx.answerCallbackQuery({ text });
    if (outcome === 'posted' || outcome === 'snoozed') {
      await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    }
  });

  // Long polling's own handler, for anything outside the boundary.
  outer.catch((err) => onHandlerError(logger, err));
}
