// The scheduler's tick: Postgres decides what is due. Due deliveries, and ones whose lease expired
// (a worker died, a Redis job was lost), are claimed with FOR UPDATE SKIP LOCKED, so any number of
// workers tick at once without claiming the same row; each claim gets a lease and a send job.
//
// Fair across users: a user's chat takes about one message a second whatever we do, so claiming a
// user's thousand due posts at once only fills the queue and the senders with posts that wait for
// that one chat, while every other user's post waits behind them. A claim takes at most
// PER_USER_IN_FLIGHT deliveries per user, counting the ones already claimed (live lease), in turns:
// everyone's oldest due first, then everyone's second, and so on. The counts come from the rows
// themselves, so the cap holds across any number of worker processes. The statements are the
// lifecycle's (claimDeliveries, markDelivering); this is the tick's policy.
import type { Db } from '../../lib/db.js';
import { claimDeliveries, markDelivering } from '../lifecycle/lifecycle.service.js';

/**
 * Deliveries one user may have claimed at once (QUEUED or SENDING with a live lease). Two: the
 * chat's burst, so a user's next post is already claimed when the previous one is sent.
 */
export const PER_USER_IN_FLIGHT = 2;

/**
 * Claims up to `limit` due deliveries, at most `perUser` per user in flight, and leases them to
 * `owner` for LEASE_MS; their posts are DELIVERING from then on. `limit` also bounds what is in
 * flight in total (claimed and not yet done, leaving out deliveries parked past their lease for a
 * long retry_after), so claims never pile up in the queue past what the senders send before the
 * leases run out. Answers the claimed ids.
 */
export async function claimDue(db: Db, owner: string, limit = 500, perUser = PER_USER_IN_FLIGHT): Promise<string[]> {
  const rows = await claimDeliveries(db, owner, limit, perUser);
  if (rows.length > 0)
    await markDelivering(
      db,
      rows.map((r) => r.postId),
    );
  return rows.map((r) => r.id);
}
