// A database's schema as plain data, for comparing two databases: tables, columns, indexes,
// constraints and enums of the public schema (Prisma's own bookkeeping table left out).
import pg from 'pg';

export interface Catalog {
  columns: string[];
  indexes: string[];
  constraints: string[];
  enums: string[];
}

export async function readCatalog(url: string): Promise<Catalog> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lines = async (sql: string) => (await client.query<{ line: string }>(sql)).rows.map((r) => r.line);
    return {
      columns: await lines(`
        SELECT table_name || '.' || column_name || ' ' || udt_name
          || coalesce('(' || character_maximum_length || ')', '')
          || coalesce(' p' || datetime_precision, '')
          || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
          || coalesce(' DEFAULT ' || column_default, '') AS line
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY 1`),
      indexes: await lines(`
        SELECT indexdef AS line FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`),
      constraints: await lines(`
        SELECT cl.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid) AS line
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        WHERE n.nspname = 'public' AND cl.relname <> '_prisma_migrations' ORDER BY 1`),
      enums: await lines(`
        SELECT t.typname || ': ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS line
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY 1`),
    };
  } finally {
    await client.end();
  }
}

/** Lines present in one catalog and not the other, prefixed with - (only in a) or + (only in b). */
export function catalogDiff(a: Catalog, b: Catalog): string[] {
  const out: string[] = [];
  for (const key of Object.keys(a) as Array<keyof Catalog>) {
    const inB = new Set(b[key]);
    const inA = new Set(a[key]);
    for (const line of a[key]) if (!inB.has(line)) out.push(`- ${key}: ${line}`);
    for (const line of b[key]) if (!inA.has(line)) out.push(`+ ${key}: ${line}`);
  }
  return out;
}

export async function runSql(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
