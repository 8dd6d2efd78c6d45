import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { currentUser } from '../auth/require-user.js';
import { PLAN_IDS } from '../billing/plans.js';
import { readTelegramLink, telegramLinkSchema } from '../telegram/link-status.js';
import { readUsage, usageSchema } from '../usage/usage.service.js';
import type { AuthUser, UsersService } from './users.service.js';

/**
 * True for zone names the runtime's time-zone database knows (IANA names and aliases such as
 * UTC). Offsets like "+02:00", which Intl also accepts, are refused: they ignore daylight saving.
 */
export function isTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const meSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  plan: z.enum(PLAN_IDS),
  timezone: z.string(),
  telegram: telegramLinkSchema,
  usage: usageSchema,
});

const patchBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).nullable().optional(),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'Not an IANA time zone (e.g. Europe/Berlin).' })
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change: send name and/or timezone.' });

export function meRoutes(table: RouteTable, { db, users }: { db: Db; users: UsersService }) {
  const me = async (user: AuthUser) => {
    const [telegram, usage] = await Promise.all([readTelegramLink(db, user.id), readUsage(db, user.id, user.plan)]);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      plan: user.plan,
      timezone: user.timezone,
      telegram,
      usage,
    };
  };
  table.add(
    {
      method: 'get',
      path: '/me',
      operationId: 'getMe',
      summary: 'The signed-in user, their Telegram link and usage.',
      tag: 'Me',
      response: meSchema,
    },
    ({ res }) => me(currentUser(res)),
  );
  table.add(
    {
      method: 'patch',
      path: '/me',
      operationId: 'updateMe',
      summary: 'Change the display name or the IANA time zone (used for scheduling and the bot).',
      tag: 'Me',
      body: patchBody,
      response: meSchema,
    },
    async ({ res, body }) => {
      const updated = await users.update(currentUser(res), body);
      res.locals.user = updated;
      return me(updated);
    },
  );
}
