import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { currentUser } from '../../http/current-user.js';
import { PLAN_IDS } from '../plans/plans.service.js';
import { readTelegramLink, telegramLinkSchema } from '../telegram/telegram.service.js';
import { readUsage, usageSchema } from '../usage/usage.service.js';
import type { AuthUser } from '../../http/current-user.js';
import type { UsersService } from './users.service.js';

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

let zoneNames: Map<string, string> | undefined;
/** Written as the time-zone database writes its names: each part begins with a capital or digit. */
const DATABASE_CASE = /^[A-Z][^/]*(\/[A-Z0-9][^/]*)*$/;
/**
 * The name to store for a zone `isTimeZone` accepts, so that it reads as the time-zone database
 * writes it whatever case it was typed in ("europe/berlin" is Europe/Berlin). A name ICU does not
 * list but accepts, written in the database's case, is kept as typed: ICU lists some zones under
 * their old names (Asia/Calcutta, Europe/Kiev) and resolves the current ones to those, but the
 * database's own names are Asia/Kolkata and Europe/Kyiv, and a person who chose one keeps it.
 * Anything else is ICU's name for the zone it stands for.
 */
export function canonicalTimeZone(tz: string): string {
  zoneNames ??= new Map(Intl.supportedValuesOf('timeZone').map((name) => [name.toLowerCase(), name]));
  const listed = zoneNames.get(tz.toLowerCase());
  if (listed) return listed;
  if (DATABASE_CASE.test(tz)) return tz;
  return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
}

const meSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    plan: z.enum(PLAN_IDS),
    timezone: z.string().describe('IANA time zone (e.g. Europe/Berlin): campaigns and the bot use it.'),
    telegram: telegramLinkSchema,
    usage: usageSchema,
  })
  .meta({ id: 'Me' });

const EXAMPLE_ME: z.input<typeof meSchema> = {
  id: '3e8a1f0c-6b2d-4c9e-a7f5-1d3b5c7e9a20',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  plan: 'FREE',
  timezone: 'Europe/Berlin',
  telegram: { status: 'LINKED', linked: true, username: 'ada_lovelace', linkedAt: '2026-11-22T09:33:12.000Z' },
  usage: {
    period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
    posts: { used: 12, limit: 20 },
    images: { used: 2, limit: 5 },
    voiceChars: { used: 640, limit: 2000 },
  },
};

const patchBody = z
  .strictObject({
    // The display name comes from the sign-in (Clerk) and fills itself in again when empty, so
    // it can be changed but not removed: null is refused rather than answered 200 and undone.
    name: z
      .string({
        error: (issue) =>
          issue.input === null ? 'name cannot be removed: send a name of 1 to 100 characters' : undefined,
      })
      .trim()
      .min(1)
      .max(100)
      .optional(),
    timezone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: 'Not an IANA time zone (e.g. Europe/Berlin).' })
      .transform(canonicalTimeZone)
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change: send name and/or timezone.' })
  .meta({ id: 'MeUpdate' });

export function userRoutes(table: RouteTable, { db, users }: { db: Db; users: UsersService }) {
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
      summary: 'Get the signed-in user',
      description: "Who you are, your plan and time zone, your Telegram link and this month's usage.",
      tag: 'Me',
      response: meSchema,
      examples: { response: EXAMPLE_ME },
    },
    ({ res }) => me(currentUser(res)),
  );
  table.add(
    {
      method: 'patch',
      path: '/me',
      operationId: 'updateMe',
      summary: 'Update the signed-in user',
      description: 'Change your display name or your IANA time zone (used for campaigns and by the bot).',
      tag: 'Me',
      body: patchBody,
      response: meSchema,
      examples: { body: { timezone: 'Europe/Berlin' }, response: EXAMPLE_ME },
    },
    async ({ res, body }) => {
      const updated = await users.update(currentUser(res), body);
      res.locals.user = updated;
      return me(updated);
    },
  );
}
