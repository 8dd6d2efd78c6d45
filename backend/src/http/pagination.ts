// Keyset pagination over (createdAt, id), newest first: stable under inserts, one indexed query
// per page. The cursor is opaque to clients.
import { z } from 'zod';
import { inYears, invalid } from './validation.js';

const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 100';

export const listQuery = {
  // Decimal digits only: Number() would also read "0x10", "1e1" or " 5" (and "" as 0).
  limit: z
    .preprocess(
      (v) => (typeof v === 'string' && /^[0-9]{1,3}$/.test(v) ? Number(v) : v),
      z.number({ error: LIMIT_MESSAGE }).int(LIMIT_MESSAGE).min(1, LIMIT_MESSAGE).max(100, LIMIT_MESSAGE),
    )
    .default(20)
    .describe('Page size, 1..100 (default 20).'),
  cursor: z.string().max(200).optional().describe('The nextCursor of the previous page.'),
};

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: Cursor): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  // A cursor is only ever made from a stored row, so one of a year Postgres cannot take is forged.
  if (!id || !inYears(createdAt) || !z.uuid().safeParse(id).success) {
    throw invalid([{ path: 'query.cursor', message: 'cursor is not a cursor from this API' }]);
  }
  return { createdAt, id };
}

/** Prisma `where` for rows strictly after the cursor in (createdAt desc, id desc) order. */
export function afterCursor(cursor: Cursor | undefined) {
  if (!cursor) return {};
  return {
    OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
  };
}

export const pageOrder = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** Fetch `limit + 1` rows, then call this: it trims and computes nextCursor. */
export function page<Row extends Cursor, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items: items.map(toItem), nextCursor: more && last ? encodeCursor(last) : null };
}

export const listResponse = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
