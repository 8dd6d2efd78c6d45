// What a user's jobs cost us, per UTC day: the sums of the cost columns of Job (recorded for every
// job, failed and refunded ones included), for checking the farming caps against real spend.
// A job counts on the day it was accepted. Sums are float8: exact to 2^53, never a BigInt.
import type { Db } from '../../lib/db.js';

export interface DailySpend {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  jobs: number;
  failedJobs: number;
  tokensIn: number;
  tokensOut: number;
  llmCostUsd: number;
  images: number;
  voiceChars: number;
}

/** `userId`'s spend on each UTC day with jobs in [from, to), oldest first. */
export async function spendByDay(db: Db, userId: string, from: Date, to: Date): Promise<DailySpend[]> {
  const rows = await db.$queryRaw<Array<Omit<DailySpend, 'llmCostUsd'> & { llmCostMicroUsd: number }>>`
    SELECT to_char(date_trunc('day', "createdAt" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS "day",
      count(*)::int AS "jobs",
      (count(*) FILTER (WHERE "status" = 'FAILED'))::int AS "failedJobs",
      COALESCE(sum("tokensIn"), 0)::float8 AS "tokensIn",
      COALESCE(sum("tokensOut"), 0)::float8 AS "tokensOut",
      sum("llmCostMicroUsd")::float8 AS "llmCostMicroUsd",
      sum("images")::float8 AS "images",
      sum("voiceChars")::float8 AS "voiceChars"
    FROM "Job"
    WHERE "userId" = ${userId}::uuid AND "createdAt" >= ${from} AND "createdAt" < ${to}
    GROUP BY 1 ORDER BY 1`;
  return rows.map(({ llmCostMicroUsd, ...day }) => ({ ...day, llmCostUsd: llmCostMicroUsd / 1_000_000 }));
}
