import type { Api } from 'grammy';
import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import { currentUser } from '../../http/current-user.js';
import type { LinkService } from './telegram.service.js';
import { readTelegramLink, telegramLinkSchema } from './link-status.js';
import { markUnreachable } from '../delivery/delivery.service.js';
import { classifyTelegramError, telegramUpstreamError } from '../../integrations/telegram/errors.js';

export function telegramRoutes(table: RouteTable, { db, link, api }: { db: Db; link: LinkService; api: Api }) {
  const tag = 'Telegram';
  table.add(
    {
      method: 'post',
      path: '/telegram/link',
      operationId: 'createTelegramLink',
      summary: 'Link your Telegram chat',
      description:
        'A single-use deep link, valid 15 minutes. Open `deepLink` on the phone (or show it as a QR code) and press **Start** in the bot: that chat is linked, and `GET /telegram` says `LINKED`.',
      tag,
      status: 201,
      errors: ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
      response: z
        .object({
          code: z.string().describe('Single use; what the deep link sends to the bot as `/start <code>`.'),
          deepLink: z.url().describe('https://t.me/<bot>?start=<code>'),
          expiresAt: z.iso.datetime(),
          localTapUrl: z
            .url()
            .nullable()
            .describe(
              'Local mode only (no TELEGRAM_BOT_TOKEN: the local Telegram emulator stands in for Telegram): ' +
                "the emulator's inbox page that plays the person tapping `deepLink` (it sends `/start <code>` " +
                'from chat 1 and shows that chat). null with the real Telegram.',
            ),
        })
        .meta({ id: 'TelegramLinkCode' }),
      examples: {
        response: {
          code: 'q3V9xK2mP8sT4wY7zA1bC6dE0fG5hJ2k',
          deepLink: 'https://t.me/PostaifyBot?start=q3V9xK2mP8sT4wY7zA1bC6dE0fG5hJ2k',
          expiresAt: '2026-11-22T09:45:00.000Z',
          localTapUrl: null,
        },
      },
    },
    ({ res }) => link.createCode(currentUser(res).id),
  );
  table.add(
    {
      method: 'get',
      path: '/telegram',
      operationId: 'getTelegramLink',
      summary: 'Get your Telegram link',
      description:
        '`LINKED` (posts are delivered), `UNLINKED`, or `UNREACHABLE`: Telegram refused a delivery (the bot was blocked, the chat is gone), so link again. `username` is the @username of the person in the chat, if they have one.',
      tag,
      response: telegramLinkSchema,
      examples: {
        response: { status: 'LINKED', linked: true, username: 'ada_lovelace', linkedAt: '2026-11-22T09:33:12.000Z' },
      },
    },
    ({ res }) => readTelegramLink(db, currentUser(res).id),
  );
  table.add(
    {
      method: 'delete',
      path: '/telegram',
      operationId: 'unlinkTelegram',
      summary: 'Unlink Telegram',
      description:
        'Pending deliveries are cancelled: scheduled posts become `FAILED` (with a `lastError` saying why), to be rescheduled once a chat is linked again.',
      tag,
      status: 204,
    },
    async ({ res }) => {
      await link.unlink(currentUser(res).id);
      return undefined;
    },
  );
  table.add(
    {
      method: 'post',
      path: '/telegram/test',
      operationId: 'sendTelegramTest',
      summary: 'Send a test message',
      description: 'Sends a test message to your linked chat now, to check that delivery works.',
      tag,
      response: z.object({ sent: z.literal(true) }),
      errors: ['TELEGRAM_NOT_LINKED', 'RATE_LIMITED', 'UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE'],
    },
    async ({ res }) => {
      const userId = currentUser(res).id;
      const chat = await db.telegramChat.findUnique({ where: { userId } });
      if (!chat || chat.status !== 'LINKED')
        throw new AppError('TELEGRAM_NOT_LINKED', 'Link your Telegram chat first (POST /api/v1/telegram/link).');
      try {
        await api.sendMessage(
          Number(chat.chatId),
          'This is a test message from Postaify. Your scheduled posts will arrive here. ✅',
        );
      } catch (err) {
        const failure = classifyTelegramError(err);
        if (!failure) throw err;
        if (failure.kind === 'unreachable') {
          // The same outcome as a refused delivery: the chat and every pending post of the user.
          await markUnreachable(db, userId, failure.description);
          throw new AppError(
            'TELEGRAM_NOT_LINKED',
            `Telegram refused delivery (${failure.description}); link your chat again.`,
          );
        }
        if (failure.kind === 'rate-limited') {
          // The chat's budget is spent (ours, which a second test message within a second
          // exhausts, or Telegram's own 429): the user's request is too soon, not Telegram down.
          throw new AppError(
            'RATE_LIMITED',
            `The test message was not sent: a chat takes about one message a second. Retry after ${failure.retryAfterS} s.`,
            undefined,
            { cause: err, retryAfterSeconds: failure.retryAfterS },
          );
        }
        throw telegramUpstreamError(err, 'the test message was not sent');
      }
      return { sent: true as const };
    },
  );
}
