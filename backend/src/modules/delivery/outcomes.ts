// Writing down how a delivery ended. A chat that refuses delivery (blocked, deactivated, gone) is
// marked UNREACHABLE and every pending post of its user fails with a readable reason, which /me
// and the posts show until the user links again. The statements are the lifecycle's.
import type { Db } from '../../lib/db.js';
import { retryingConflicts } from '../../lib/db-conflicts.js';
import { failAllPending, recordSends, type SendRecord } from '../lifecycle/lifecycle.service.js';
import type { Progress } from '../lifecycle/lifecycle.service.js';

export interface AcceptedPart {
  deliveryId: string;
  part: string;
  method: string;
  startedAt: Date;
  messageId: number;
  /** The delivery's progress with this part done. */
  progress: Progress;
  /** The last part: the delivery is SENT and its post DELIVERED in the same statement. */
  last: boolean;
}

/**
 * Parts Telegram accepted, in one statement (lifecycle's recordSends): each one's attempt row, its
 * delivery's progress (so a retry resumes after it) with a renewed lease, and for a last part the
 * delivery SENT and the post DELIVERED. One round trip where two transactions (eight round trips)
 * were, shared by the parts that the senders of a process record meanwhile (`batched`).
 */
export async function recordParts(db: Db, parts: AcceptedPart[]): Promise<void[]> {
  // A delivery's parts are recorded one after the other, so it appears once in a batch; if it
  // ever appears twice (two senders of one delivery, after a stalled job was taken over), its
  // records go in separate statements, in the order they came, rather than one UPDATE picking
  // either row.
  for (const group of withUniqueDeliveries(parts))
    await retryingConflicts(() => recordSends(db, group.map(sendRecord)));
  return parts.map(() => undefined);
}

const sendRecord = ({ deliveryId, part, method, startedAt, messageId, progress, last }: AcceptedPart): SendRecord => ({
  deliveryId,
  accepted: { part, method, startedAt, messageId },
  progress,
  last,
});

function withUniqueDeliveries(parts: AcceptedPart[]): AcceptedPart[][] {
  const groups: Array<{ parts: AcceptedPart[]; ids: Set<string> }> = [];
  for (const part of parts) {
    let group = groups.find((g) => !g.ids.has(part.deliveryId));
    if (!group) groups.push((group = { parts: [], ids: new Set() }));
    group.parts.push(part);
    group.ids.add(part.deliveryId);
  }
  return groups.map((g) => g.parts);
}

export async function markUnreachable(db: Db, userId: string, description: string) {
  const reason = `Telegram refused delivery (${description}). Link Telegram again, then reschedule.`;
  await db.$transaction([
    db.telegramChat.updateMany({
      where: { userId },
      data: { status: 'UNREACHABLE', unreachableAt: new Date(), lastError: description },
    }),
    ...failAllPending(db, userId, reason),
  ]);
}
