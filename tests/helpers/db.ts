// Each test file gets its own database, cloned from the migrated template (fast, and no test
// sees another's rows), and its own Redis key prefix.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../backend/src/lib/db.ts';
import { createDatabaseIfMissing } from '../../stack/src/postgres.ts';
import { silentLogger } from './logger.ts';

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export function adminUrlFor(database: string): string {
  return inject('pgAdminUrl').replace(/\/postgres$/, `/${database}`);
}

/** A fresh, migrated database; returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = uniqueName('test');
  await createDatabaseIfMissing(inject('pgAdminUrl'), name, inject('templateDb'));
  return adminUrlFor(name);
}

export async function createTestDb(existingUrl?: string): Promise<DbHandle & { url: string }> {
  const url = existingUrl ?? (await createTestDatabase());
  return { url, ...createDb({ url, logger: silentLogger }) };
}
