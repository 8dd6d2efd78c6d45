// What a job's provider calls cost us, as handlers report it (JobContext.spend): added up in
// memory and written with the job's next row update (a checkpoint, success, failure or the end of
// an attempt that BullMQ retries), so a failed call is recorded as surely as a successful one.
import { Prisma } from '../../generated/prisma/client.js';
import type { Usage } from '../../integrations/openrouter.js';

export interface Spend {
  /** OpenRouter's prompt and completion tokens. */
  tokensIn: number;
  tokensOut: number;
  /** OpenRouter's `usage.cost`, in millionths of a US dollar. */
  llmCostMicroUsd: number;
  /** Fal image requests submitted (each one is billed once it runs). */
  images: number;
  /** Characters sent to ElevenLabs for speech. */
  voiceChars: number;
}

const ZERO: Spend = { tokensIn: 0, tokensOut: 0, llmCostMicroUsd: 0, images: 0, voiceChars: 0 };
const FIELDS = Object.keys(ZERO) as Array<keyof Spend>;

export function createSpendMeter() {
  let pending: Spend = { ...ZERO };
  let llmCalls = 0;
  return {
    add(spend: Partial<Spend>, { llmCall = false } = {}) {
      for (const f of FIELDS) pending[f] += Math.max(0, Math.round(spend[f] ?? 0));
      if (llmCall) llmCalls += 1;
    },
    /**
     * Runs `write` with what was added since the last write; kept for the next one when `write`
     * throws.
     */
    async flush<T>(write: (spend: Spend & { llmCalls: number }) => Promise<T>): Promise<T> {
      const taken = { ...pending, llmCalls };
      pending = { ...ZERO };
      llmCalls = 0;
      try {
        return await write(taken);
      } catch (err) {
        for (const f of FIELDS) pending[f] += taken[f];
        llmCalls += taken.llmCalls;
        throw err;
      }
    },
  };
}

export type SpendMeter = ReturnType<typeof createSpendMeter>;

/**
 * The SET list that adds `spend` to a Job row (alias-free, for `UPDATE "Job" SET …`). Tokens stay
 * null on a job that never called the model.
 */
export function addSpendSql(spend: (Spend & { llmCalls: number }) | undefined): Prisma.Sql {
  const s = spend ?? { ...ZERO, llmCalls: 0 };
  return Prisma.sql`"tokensIn" = CASE WHEN ${s.llmCalls}::int > 0 THEN COALESCE("tokensIn", 0) + ${s.tokensIn}::int ELSE "tokensIn" END,
    "tokensOut" = CASE WHEN ${s.llmCalls}::int > 0 THEN COALESCE("tokensOut", 0) + ${s.tokensOut}::int ELSE "tokensOut" END,
    "llmCostMicroUsd" = "llmCostMicroUsd" + ${s.llmCostMicroUsd}::int,
    "images" = "images" + ${s.images}::int,
    "voiceChars" = "voiceChars" + ${s.voiceChars}::int`;
}

export const hasSpend = (s: (Spend & { llmCalls: number }) | undefined) =>
  Boolean(s && (s.llmCalls > 0 || FIELDS.some((f) => s[f] > 0)));

/** An OpenRouter answer's usage as the job's spend. */
export const usageSpend = (usage: Usage): Partial<Spend> => ({
  tokensIn: usage.tokensIn,
  tokensOut: usage.tokensOut,
  llmCostMicroUsd: usage.costMicroUsd,
});
