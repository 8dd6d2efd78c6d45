// The audit trail: plan changes, account deletions, admin sign-ins and admin queue actions, one
// AuditLog row each (a failed payment's row is written by billing/stripe-webhook.ts itself). Every write goes through `recordAudit`, whose entry types say exactly what a
// row may hold: ids, the action and non-personal context. No email, name, chat id or free text,
// because the rows outlive the user they name (the user's deletion keeps them and adds one that
// names the deletion). Writers pass their transaction when the action has one, so the entry and
// the change commit together.
import type { Prisma } from '../../generated/prisma/client.js';
import type { Plan } from '../../generated/prisma/enums.js';

/** The one thing a writer needs: a client (the Db or a transaction) that can create audit rows. */
export type AuditWriter = { auditLog: Pick<Prisma.TransactionClient['auditLog'], 'create'> };

export type AuditEntry =
  | {
      action: 'plan_changed';
      actor: 'stripe';
      userId: string;
      /** The Stripe subscription id (a pseudonymous reference kept for billing reconciliation). */
      subscriptionId: string;
      data: { from: Plan; to: Plan; status: string };
    }
  | {
      action: 'user_deleted';
      actor: 'clerk';
      userId: string;
      /**
       * The plan the account had, whether it had a live subscription (cancelled at Stripe with the
       * account, or found already gone there) and how many stored media were removed.
       */
      data: { plan: Plan; hadLiveSubscription: boolean; mediaDeleted: number };
    }
  | { action: 'admin_signed_in'; actor: 'admin'; userId: string; requestId?: string }
  | { action: 'admin_sign_in_refused'; actor: 'admin'; userId: string; requestId?: string }
  | {
      action: 'admin_queue_action';
      actor: 'admin';
      userId: string;
      /** The Bull Board request: method and path (no query string, no body). */
      data: { method: string; path: string };
      requestId?: string;
    };

function entity(entry: AuditEntry): { entityType: string; entityId: string | null } {
  switch (entry.action) {
    case 'plan_changed':
      return { entityType: 'subscription', entityId: entry.subscriptionId };
    case 'user_deleted':
    case 'admin_signed_in':
    case 'admin_sign_in_refused':
      return { entityType: 'user', entityId: entry.userId };
    case 'admin_queue_action':
      return { entityType: 'queue', entityId: null };
  }
}

export async function recordAudit(writer: AuditWriter, entry: AuditEntry): Promise<void> {
  await writer.auditLog.create({
    data: {
      userId: entry.userId,
      actor: entry.actor,
      action: entry.action,
      ...entity(entry),
      data: 'data' in entry ? entry.data : undefined,
      requestId: 'requestId' in entry ? (entry.requestId ?? null) : null,
    },
  });
}
