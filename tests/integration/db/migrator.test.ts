// The migration runner records migrations exactly as Prisma Migrate does, applies each once even
// when several processes start at the same moment, and stops at a failed migration.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MIGRATIONS_DIR, migrate, readMigrations } from '../../../backend/src/db/migrator.ts';
import { createDatabaseIfMissing } from '../../../stack/src/postgres.ts';
import { adminUrlFor, uniqueName } from '../../helpers/db.ts';

async function emptyDatabase(): Promise<string> {
  const name = uniqueName('mig');
  await createDatabaseIfMissing(inject('pgAdminUrl'), name);
  return adminUrlFor(name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migration runner', () => {
  it('applies every migration once and records it as Prisma does', async () => {
    const url = await emptyDatabase();
    const all = readMigrations();
    expect(all.length).toBeGreaterThan(0);

    const first = await migrate(url);
    expect(first.applied).toEqual(all.map((m) => m.name));

    const rows = await query<{
      id: string;
      checksum: string;
      migration_name: string;
      finished_at: Date | null;
      applied_steps_count: number;
      rolled_back_at: Date | null;
      logs: string | null;
    }>(url, 'SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(all.map((m) => m.name));
    for (const row of rows) {
      const sql = readFileSync(join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
    }

    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(all.map((m) => m.name));
  });

  it('applies each migration exactly once when five runners start together', async () => {
    const url = await emptyDatabase();
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url)));
    const applied = results.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual(
      readMigrations()
        .map((m) => m.name)
        .sort(),
    );
    const [row] = await query<{ count: string }>(url, 'SELECT count(*) FROM "_prisma_migrations"');
    expect(Number(row?.count)).toBe(readMigrations().length);
  });

  it('stops at a failed migration, leaves the schema as it was, and refuses to go on until resolved', async () => {
    const url = await emptyDatabase();
    const dir = migrationsDir({
      '20260101000000_ok': 'CREATE TABLE "A" (id int PRIMARY KEY);',
      '20260102000000_bad': 'CREATE TABLE "B" (id int PRIMARY KEY);\nALTER TABLE "Missing" ADD COLUMN x int;',
      '20260103000000_after': 'CREATE TABLE "C" (id int PRIMARY KEY);',
    });
    await expect(migrate(url, dir)).rejects.toThrow(/20260102000000_bad failed: relation "Missing" does not exist/);
    const tables = (
      await query<{ t: string }>(
        url,
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema='public' ORDER BY 1`,
      )
    ).map((r) => r.t);
    expect(tables).toEqual(['A', '_prisma_migrations']);
    const failed = await query<{ finished_at: Date | null; logs: string }>(
      url,
      `SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '20260102000000_bad'`,
    );
    expect(failed[0]?.finished_at).toBeNull();
    expect(failed[0]?.logs).toMatch(/"Missing" does not exist/);
    await expect(migrate(url, dir)).rejects.toThrow(/20260102000000_bad failed earlier and was not resolved/);
  });

  it('reports an applied migration whose file changed afterwards', async () => {
    const url = await emptyDatabase();
    const dir = migrationsDir({ '20260101000000_ok': 'CREATE TABLE "A" (id int PRIMARY KEY);' });
    await migrate(url, dir);
    writeFileSync(join(dir, '20260101000000_ok', 'migration.sql'), 'CREATE TABLE "A" (id bigint PRIMARY KEY);');
    const result = await migrate(url, dir);
    expect(result.modified).toEqual(['20260101000000_ok']);
  });
});
