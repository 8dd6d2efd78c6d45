// The status sets of a post and of its deliveries, each written once. A post goes
//   DRAFT → SCHEDULED → DELIVERING → DELIVERED | FAILED (unscheduling returns to DRAFT),
// its delivery to a chat SCHEDULED → QUEUED (claimed) → SENDING → SENT | FAILED, or CANCELLED.
import { Prisma } from '../../generated/prisma/client.js';
import type { DeliveryStatus, PostStatus } from '../../generated/prisma/enums.js';

/** A post whose content and media may still change: not being delivered, not delivered. */
export const EDITABLE_POST: readonly PostStatus[] = ['DRAFT', 'SCHEDULED', 'FAILED'];
/** A post that may be (re)scheduled: the same states (a scheduled one is moved). */
export const SCHEDULABLE_POST: readonly PostStatus[] = ['DRAFT', 'SCHEDULED', 'FAILED'];
/** A post that may go back to DRAFT. */
export const UNSCHEDULABLE_POST: readonly PostStatus[] = ['SCHEDULED', 'FAILED'];
/** What send-now may start from at once; a SCHEDULED post only while it is not yet due. */
export const SENDABLE_NOW_POST: readonly PostStatus[] = ['DRAFT', 'FAILED'];
/** A post the Telegram button may snooze (delivered again an hour later). */
export const SNOOZABLE_POST: readonly PostStatus[] = ['DELIVERED', 'FAILED', 'SCHEDULED'];
/** A post waiting for, or in, delivery: the ones a lost chat fails. */
export const PENDING_POST: readonly PostStatus[] = ['SCHEDULED', 'DELIVERING'];
/** A post being delivered: it cannot be deleted. */
export const DELIVERING_POST: PostStatus = 'DELIVERING';

/** Claimed by a worker, under a lease: queued for a sender, or being sent. */
export const CLAIMED_DELIVERY: readonly DeliveryStatus[] = ['QUEUED', 'SENDING'];
/**
 * Not yet handed to a sender: what unscheduling, a move to another chat or losing the chat cancels.
 * A SENDING one ends by itself (sent, or failed by its sender).
 */
export const CANCELLABLE_DELIVERY: readonly DeliveryStatus[] = ['SCHEDULED', 'QUEUED'];
/** Not yet ended: what a chat that refuses delivery fails. */
export const PENDING_DELIVERY: readonly DeliveryStatus[] = ['SCHEDULED', 'QUEUED', 'SENDING'];

/**
 * How long a claim holds a delivery (QUEUED or SENDING): past it, a delivery whose worker died or
 * whose Redis job was lost is claimed again. Every part a sender records renews it.
 */
export const LEASE_MS = 60_000;

/** A status set as SQL literals (`'QUEUED', 'SENDING'`), for the raw statements' IN lists. */
export const statusList = (statuses: readonly string[]) => statuses.map((s) => `'${s}'`).join(', ');
/** The same list for a `Prisma.sql` template. */
export const sqlStatuses = (statuses: readonly string[]) => Prisma.raw(statusList(statuses));
