// A link code opened in a chat already linked to another Postaify account: the bot asks before it
// moves the chat ("Yes, move this chat to a***@e***.com" / "No"), naming the account that made
// the code by a masked email, so that someone who was handed a stranger's link sees whose it is.
// The buttons carry the code (the chat sent it a moment ago, and it is single use); the code is
// used only by the answer: Yes moves the chat (telegram.service.ts), No cancels the code.
import type { Composer, Context } from 'grammy';
import type { LinkService } from './telegram.service.js';

/** `ann@example.com` → `a***@e***.com`: enough to recognise one's own address, not to learn one. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return `${email.slice(0, 1)}***`;
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${email.slice(0, 1)}***@${host.slice(0, 1)}***${tld}`;
}

const accountName = (email: string | null) => (email ? maskEmail(email) : 'another Postaify account');

/** Asks the person in the chat whether to move it to the code's account. */
export async function askToMove(ctx: Context, code: string, email: string | null) {
  const who = accountName(email);
  await ctx.reply(
    `This chat is linked to another Postaify account. Move it to ${who}? ` +
      'The posts of the account it is linked to now will stop arriving here.',
    {
      reply_markup: {
        inline_keyboard: [
          [{ text: `Yes, move this chat to ${who}`, callback_data: `move:yes:${code}` }],
          [{ text: 'No', callback_data: `move:no:${code}` }],
        ],
      },
    },
  );
}

export function registerChatMove(bot: Composer<Context>, { link, linkPage }: { link: LinkService; linkPage: string }) {
  bot.callbackQuery(/^move:(yes|no):([A-Za-z0-9_-]{1,64})$/, async (ctx) => {
    const [, answer, code] = ctx.match;
    const chat = ctx.chat;
    if (chat?.type !== 'private') {
      await ctx.answerCallbackQuery();
      return;
    }
    // The question is answered once: its buttons go.
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
    // The answer to the button is the one reply sure to arrive (the reply budget may drop a
    // message to a chat that just had two); the message repeats it in the chat's history.
    if (answer === 'no') {
      await link.decline(code!);
      const kept = 'OK: this chat stays linked to its account, and that link was cancelled.';
      await ctx.answerCallbackQuery({ text: kept });
      await ctx.reply(kept);
      return;
    }
    const result = await link.consume(
      code!,
      { chatId: BigInt(chat.id), username: ctx.from.username, firstName: ctx.from.first_name },
      { move: true },
    );
    if (result.ok) {
      const moved = `Moved: this chat now receives the scheduled posts of ${accountName(result.email)}.`;
      await ctx.answerCallbackQuery({ text: moved });
      await ctx.reply(`${moved} /status shows what is next.`);
      return;
    }
    const why = {
      unknown: 'This link is not valid.',
      expired: 'This link has expired (links last 15 minutes).',
      used: 'This link was already used.',
      confirm: 'This link could not be used.',
    }[result.reason];
    await ctx.answerCallbackQuery({ text: `Not moved. ${why}` });
    await ctx.reply(`${why} Create a new one here: ${linkPage}`);
  });
}
