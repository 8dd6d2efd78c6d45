// POST /api/v1/webhooks/clerk: svix-signed events verified by Clerk's `verifyWebhook` on the raw
// body (a bad or missing signature is 400 and writes nothing), deduplicated by `svix-id` (a claim
// that is released when its effect fails, so the retry is applied).
// user.created / user.updated keep email and name in step; user.deleted removes the user's data
// and leaves a tombstone, so a user.created / user.updated that arrives after it is ignored.
import type { Request, Response } from 'express';
import { verifyWebhook } from '@clerk/express/webhooks';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { deleteUserByClerkId, type DeletionDeps } from './user-deletion.js';

interface ClerkUserData {
  id?: string;
  first_name?: string | null;
  last_name?: string | null;
  primary_email_address_id?: string | null;
  email_addresses?: Array<{ id: string; email_address: string }>;
}

function profileOf(data: ClerkUserData) {
  const email =
    data.email_addresses?.find((e) => e.id === data.primary_email_address_id)?.email_address ??
    data.email_addresses?.[0]?.email_address ??
    null;
  const name = [data.first_name, data.last_name].filter(Boolean).join(' ') || null;
  return { email, name };
}

export interface ClerkWebhookDeps extends DeletionDeps {
  signingSecret: string | undefined;
  invalidateUser: (clerkId: string) => Promise<void>;
  logger: Logger;
}

export function clerkWebhook(deps: ClerkWebhookDeps) {
  const { db, signingSecret } = deps;
  return async (req: Request, res: Response) => {
    if (!signingSecret)
      throw new AppError('SERVICE_UNAVAILABLE', 'Clerk webhooks are not configured (CLERK_WEBHOOK_SIGNING_SECRET).');
    let event: Awaited<ReturnType<typeof verifyWebhook>>;
    try {
      event = await verifyWebhook(req, { signingSecret });
    } catch {
      throw new AppError('VALIDATION_ERROR', 'The Clerk (svix) signature does not match this body.');
    }
    const svixId = req.get('svix-id')!;
    if (!(await claim(db, svixId, event.type))) {
      res.json({ received: true, duplicate: true });
      return;
    }
    try {
      await apply(deps, event.type, event.data);
    } catch (err) {
      // The effect did not happen: forget the claim, so that Clerk's retry of this svix-id is
      // applied instead of being answered as a duplicate. (The effects are idempotent, so a retry
      // racing a slow first attempt is harmless.)
      await db.webhookEvent.deleteMany({ where: { provider: 'CLERK', eventId: svixId } });
      throw err;
    }
    res.json({ received: true });
  };
}

async function apply(deps: ClerkWebhookDeps, type: string, data: ClerkUserData) {
  const { db, invalidateUser, logger } = deps;
  if ((type === 'user.created' || type === 'user.updated') && data.id) {
    const { email, name } = profileOf(data);
    // One statement: no row for a deleted id (tombstone), none changed while one is being deleted.
    const rows = await db.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "User" ("clerkId", "email", "name", "updatedAt")
      SELECT ${data.id}, ${email}, ${name}, now()
      WHERE NOT EXISTS (SELECT 1 FROM "DeletedClerkUser" WHERE "clerkId" = ${data.id})
      ON CONFLICT ("clerkId") DO UPDATE SET "email" = EXCLUDED."email", "name" = EXCLUDED."name", "updatedAt" = now()
      WHERE "User"."deletedAt" IS NULL
      RETURNING "id"`;
    if (rows.length === 0) logger.info({ type }, 'clerk event for a deleted user ignored');
    await invalidateUser(data.id);
  } else if (type === 'user.deleted' && data.id) {
    const deleted = await deleteUserByClerkId(deps, data.id);
    await invalidateUser(data.id);
    logger.info({ deleted }, 'clerk user.deleted applied');
  }
}

/** Records the delivery; false when this svix-id was applied before. */
async function claim(db: Db, svixId: string, type: string): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "WebhookEvent" ("provider", "eventId", "type") VALUES ('CLERK', ${svixId}, ${type})
    ON CONFLICT ("provider", "eventId") DO NOTHING RETURNING "id"`;
  return rows.length === 1;
}
