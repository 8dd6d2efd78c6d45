// The senders' two writes, several deliveries to a statement (as `batched` groups them): each
// delivery is taken and answered in the order asked, one that is no longer QUEUED/SENDING (or
// gone) is answered undefined and left as it is, and each recorded part moves only its own
// delivery (the last part also marks it SENT and its post DELIVERED). A batch that deadlocks with
// a transaction locking the same deliveries in the other order runs again, rather than failing
// every sender of the batch.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryStatus } from '../../../backend/src/generated/prisma/client.ts';
import { sqlState } from '../../../backend/src/lib/db-conflicts.ts';
import { beginSends } from '../../../backend/src/modules/delivery/begin.ts';
import { recordParts, type AcceptedPart } from '../../../backend/src/modules/delivery/outcomes.ts';
import { createTestDb } from '../../helpers/db.ts';
import { until } from '../../helpers/wait.ts';

let h: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  h = await createTestDb();
});
afterAll(() => h?.close());

let nextChat = 9_100_001;

async function delivery(status: DeliveryStatus) {
  const db = h.db;
  const user = await db.user.create({
    data: { clerkId: `local_${randomUUID()}`, email: `${randomUUID()}@example.com` },
  });
  const chatId = BigInt(nextChat++);
  await db.telegramChat.create({ data: { userId: user.id, chatId, firstName: 'Test' } });
  const post = await db.post.create({
    data: { userId: user.id, platform: 'TWITTER', content: `Post ${chatId}`, status: 'DELIVERING' },
  });
  return db.delivery.create({
    data: { postId: post.id, userId: user.id, chatId, status, dueAt: new Date(), progress: { done: {} } },
  });
}

/** The last (only) text part of a delivery, accepted as message `messageId`. */
const lastPart = (deliveryId: string, messageId: number): AcceptedPart => ({
  deliveryId,
  part: 'text:0',
  method: 'sendMessage',
  startedAt: new Date(),
  messageId,
  progress: { done: { 'text:0': messageId } },
  last: true,
});

describe('delivery writes, several to a statement', () => {
  it('takes each delivery asked for, in order, and skips one that is done or gone', async () => {
    const queued = await delivery('QUEUED');
    const sent = await delivery('SENT');
    const retried = await delivery('SENDING');
    const gone = randomUUID();

    const taken = await beginSends(h.db, [queued.id, sent.id, gone, retried.id]);

    expect(taken.map((d) => d?.id)).toEqual([queued.id, undefined, undefined, retried.id]);
    expect(taken[0]).toMatchObject({
      post: { id: queued.postId, platform: 'TWITTER', content: `Post ${queued.chatId}` },
      chat: { chatId: queued.chatId, status: 'LINKED' },
      progress: { done: {} },
    });
    const rows = await h.db.delivery.findMany({ where: { id: { in: [queued.id, sent.id, retried.id] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(queued.id)).toMatchObject({ status: 'SENDING', attempts: 1 });
    expect(byId.get(queued.id)!.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(byId.get(retried.id)).toMatchObject({ status: 'SENDING', attempts: 1 });
    expect(byId.get(sent.id)).toMatchObject({ status: 'SENT', attempts: 0, leaseUntil: null });
  });

  it('records each part against its own delivery; a last part marks it sent and its post delivered', async () => {
    const first = await delivery('SENDING');
    const last = await delivery('SENDING');
    const startedAt = new Date(Date.now() - 50);

    await recordParts(h.db, [
      {
        deliveryId: first.id,
        part: 'photo',
        method: 'sendPhoto',
        startedAt,
        messageId: 41,
        progress: { done: { photo: 41 } },
        last: false,
      },
      {
        deliveryId: last.id,
        part: 'text:1',
        method: 'sendMessage',
        startedAt,
        messageId: 77,
        progress: { done: { 'text:0': 76, 'text:1': 77 } },
        last: true,
      },
    ]);

    const [a, b] = await Promise.all(
      [first, last].map((d) => h.db.delivery.findUniqueOrThrow({ where: { id: d.id }, include: { post: true } })),
    );
    expect(a).toMatchObject({ status: 'SENDING', progress: { done: { photo: 41 } }, sentAt: null });
    expect(a!.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(a!.post.status).toBe('DELIVERING');
    expect(b).toMatchObject({ status: 'SENT', leaseUntil: null, progress: { done: { 'text:0': 76, 'text:1': 77 } } });
    expect(b!.sentAt).toBeInstanceOf(Date);
    expect(b!.post).toMatchObject({ status: 'DELIVERED' });

    const attempts = await h.db.deliveryAttempt.findMany({
      where: { deliveryId: { in: [first.id, last.id] } },
      orderBy: { messageId: 'asc' },
    });
    expect(attempts.map((x) => [x.deliveryId, x.part, x.method, Number(x.messageId), x.ok])).toEqual([
      [first.id, 'photo', 'sendPhoto', 41, true],
      [last.id, 'text:1', 'sendMessage', 77, true],
    ]);
    expect(attempts[0]!.startedAt.getTime()).toBe(startedAt.getTime());
  });

  it("records the other parts when one part's delivery was deleted meanwhile (its post deleted)", async () => {
    const kept = await delivery('SENDING');
    const deleted = await delivery('SENDING');
    await h.db.post.delete({ where: { id: deleted.postId } });

    await recordParts(h.db, [lastPart(deleted.id, 90), lastPart(kept.id, 91)]);

    expect(await h.db.delivery.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({ status: 'SENT' });
    const attempts = await h.db.deliveryAttempt.findMany({ where: { deliveryId: { in: [kept.id, deleted.id] } } });
    expect(attempts.map((a) => [a.deliveryId, Number(a.messageId)])).toEqual([[kept.id, 91]]);
  });

  it('runs a batch again after Postgres aborts it for a deadlock', async () => {
    const a = await delivery('SENDING');
    const b = await delivery('SENDING');
    const deadlocks = async () =>
      Number(
        (
          await h.db.$queryRaw<Array<{ n: bigint }>>`
          SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`
        )[0]!.n,
      );
    const before = await deadlocks();

    // Another transaction holds a's post, then wants a's delivery. The batch takes both
    // deliveries, then waits for a's post: a cycle. The other's deadlock check waits 10 s, so the
    // batch's (1 s, the default) finds the cycle first and is the one aborted.
    const other = new pg.Client({ connectionString: h.url });
    await other.connect();
    try {
      await other.query(`SET deadlock_timeout = '10s'`);
      await other.query('BEGIN');
      await other.query(`UPDATE "Post" SET "lastError" = 'held' WHERE id = $1`, [a.postId]);
      const recorded = recordParts(h.db, [lastPart(a.id, 200), lastPart(b.id, 201)]);
      await until('the batch to wait for the lock on the post', async () => {
        const { rows } = await other.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n > 0;
      });
      // Granted once the batch is aborted and lets the delivery go.
      await other.query(`UPDATE "Delivery" SET "lastError" = 'held too' WHERE id = $1`, [a.id]);
      await other.query('COMMIT');
      await recorded; // the batch's second run, after the commit

      expect(await deadlocks()).toBe(before + 1);
      const rows = await h.db.delivery.findMany({ where: { id: { in: [a.id, b.id] } } });
      expect(rows.map((r) => r.status)).toEqual(['SENT', 'SENT']);
      const attempts = await h.db.deliveryAttempt.count({ where: { deliveryId: { in: [a.id, b.id] } } });
      expect(attempts).toBe(2);
    } finally {
      await other.end();
    }
  });

  it("reads Postgres's error code from a failed raw query", async () => {
    const err = await h.db.$executeRaw`
      INSERT INTO "DeliveryAttempt" ("deliveryId", "part", "method", "startedAt", "ok")
      VALUES (${randomUUID()}::uuid, 'text:0', 'sendMessage', now(), true)`.catch((e: unknown) => e);
    expect(sqlState(err)).toBe('23503'); // foreign_key_violation
  });

  it('records two parts of one delivery given in one call, in order', async () => {
    const d = await delivery('SENDING');
    const startedAt = new Date();
    await recordParts(h.db, [
      {
        deliveryId: d.id,
        part: 'text:0',
        method: 'sendMessage',
        startedAt,
        messageId: 300,
        progress: { done: { 'text:0': 300 } },
        last: false,
      },
      {
        deliveryId: d.id,
        part: 'text:1',
        method: 'sendMessage',
        startedAt,
        messageId: 301,
        progress: { done: { 'text:0': 300, 'text:1': 301 } },
        last: true,
      },
    ]);
    expect(await h.db.delivery.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({
      status: 'SENT',
      progress: { done: { 'text:0': 300, 'text:1': 301 } },
    });
    const attempts = await h.db.deliveryAttempt.findMany({
      where: { deliveryId: d.id },
      orderBy: { messageId: 'asc' },
    });
    expect(attempts.map((x) => x.part)).toEqual(['text:0', 'text:1']);
  });
});
