// The migrations and schema.prisma can never drift apart: a database built by applying every
// migration must have exactly the catalog of one built straight from schema.prisma (by Prisma's
// own engine). The last test shows the comparison catches a column added to the schema alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrate } from '../../../backend/src/db/migrator.ts';
import { createDatabaseIfMissing } from '../../../stack/src/postgres.ts';
import { diffSql, schemaPath } from '../../../scripts/lib/prisma6.mjs';
import { catalogDiff, readCatalog, runSql } from '../../helpers/catalog.ts';
import { adminUrlFor, uniqueName } from '../../helpers/db.ts';

async function emptyDatabase(): Promise<string> {
  const name = uniqueName('drift');
  await createDatabaseIfMissing(inject('pgAdminUrl'), name);
  return adminUrlFor(name);
}

async function databaseFromSchema(schemaText: string): Promise<string> {
  const url = await emptyDatabase();
  await runSql(url, diffSql({ scratchUrl: inject('pgAdminUrl'), toSchemaText: schemaText }));
  return url;
}

describe('migrations vs schema.prisma', () => {
  const schema = readFileSync(schemaPath, 'utf8');

  it('applying every migration to an empty database yields exactly the schema.prisma catalog', async () => {
    const migrated = await emptyDatabase();
    await migrate(migrated);
    const fromSchema = await databaseFromSchema(schema);
    const [a, b] = await Promise.all([readCatalog(migrated), readCatalog(fromSchema)]);
    expect(a.columns.length).toBeGreaterThan(50);
    expect(catalogDiff(a, b)).toEqual([]);
  });

  it('catches a column added to schema.prisma without a migration', async () => {
    const edited = schema.replace(/(model User \{\n)/, '$1  nickname String?\n');
    expect(edited).not.toBe(schema);
    const migrated = await emptyDatabase();
    await migrate(migrated);
    const fromEdited = await databaseFromSchema(edited);
    const diff = catalogDiff(await readCatalog(migrated), await readCatalog(fromEdited));
    expect(diff).toEqual(['+ columns: User.nickname text']);
  });
});
