// Starts a throw-away Postgres and Redis on free ports for the whole run (never the development
// data under .data/), applies the migrations once to a template database that each test file
// clones, and stops both at the end.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../backend/src/db/migrator.ts';
import { freePort } from '../../stack/src/ports.ts';
import { createDatabaseIfMissing, startLocalPostgres } from '../../stack/src/postgres.ts';
import { startLocalRedis } from '../../stack/src/redis.ts';

export const TEMPLATE_DB = 'postaify_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDb: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-test-'));
  // As root, Postgres runs as the `postgres` user, which must be able to reach its folder.
  chmodSync(dir, 0o711);
  const postgres = await startLocalPostgres({
    dataDir: join(dir, 'postgres'),
    port: await freePort(),
    database: 'postgres',
    ephemeral: true,
  });
  let redis: Awaited<ReturnType<typeof startLocalRedis>>;
  try {
    redis = await startLocalRedis({ dataDir: join(dir, 'redis'), port: await freePort(), persistent: false });
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  await createDatabaseIfMissing(postgres.adminUrl, TEMPLATE_DB);
  await migrate(postgres.adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DB}`));

  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
  project.provide('redisUrl', redis.url);

  return async () => {
    await Promise.all([postgres.stop(), redis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
