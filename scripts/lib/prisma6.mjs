// Offline migration SQL. Prisma 7's CLI needs its native schema engine for `migrate diff`, and
// that engine cannot be downloaded here; Prisma 6.19 ships a WebAssembly schema engine that runs
// through a driver adapter. We give it a temporary config (driver adapter on a scratch database)
// and a copy of our schema with the datasource URL Prisma 6 insists on.
// See docs/decisions/002-migrations.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const schemaPath = join(root, 'backend', 'prisma', 'schema.prisma');
const cli = join(root, 'node_modules', 'prisma6', 'build', 'index.js');

const withUrl = (text) =>
  text.replace(
    /datasource\s+db\s*\{[^}]*\}/,
    'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}',
  );

/**
 * SQL that takes a database whose schema is the datamodel `fromSchemaText` (or an empty one) to
 * the datamodel `toSchemaText` (default: schema.prisma).
 * @param {{ scratchUrl: string, fromSchemaText?: string, toSchemaText?: string }} options
 *   scratchUrl: any reachable database; the WebAssembly engine connects through the adapter but
 *   changes nothing when it diffs two datamodels.
 */
export function diffSql({ scratchUrl, fromSchemaText, toSchemaText = readFileSync(schemaPath, 'utf8') }) {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-diff-'));
  try {
    writeFileSync(join(dir, 'to.prisma'), withUrl(toSchemaText));
    if (fromSchemaText !== undefined) writeFileSync(join(dir, 'from.prisma'), withUrl(fromSchemaText));
    // allowExitOnIdle: otherwise the CLI waits out the pool's 10 s idle timeout before exiting.
    writeFileSync(
      join(dir, 'prisma.config.mjs'),
      `import { PrismaPg } from ${JSON.stringify(join(root, 'node_modules', '@prisma', 'adapter-pg', 'dist', 'index.mjs'))};\n` +
        `export default { experimental: { adapter: true }, engine: 'js', schema: 'to.prisma',\n` +
        `  adapter: async () => new PrismaPg({ connectionString: ${JSON.stringify(scratchUrl)}, allowExitOnIdle: true }) };\n`,
    );
    const fromArgs = fromSchemaText === undefined ? ['--from-empty'] : ['--from-schema-datamodel', 'from.prisma'];
    const result = spawnSync(
      process.execPath,
      [
        cli,
        'migrate',
        'diff',
        '--config',
        'prisma.config.mjs',
        ...fromArgs,
        '--to-schema-datamodel',
        'to.prisma',
        '--script',
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          ...process.env,
          DATABASE_URL: scratchUrl,
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
          PRISMA_QUERY_ENGINE_LIBRARY: '/bin/false',
        },
      },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed:\n${result.stderr}${result.stdout}`);
    // Every database has the public schema already; Prisma adds this when diffing from empty.
    return result.stdout.replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when the SQL has no statement (only comments and blank lines). */
export const isEmptySql = (sql) => sql.split('\n').every((l) => !l.trim() || l.trim().startsWith('--'));
