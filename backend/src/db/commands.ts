// The database commands' work, shared by the backend's own CLIs (the environment's database only:
// production's pre-deploy step) and the local stack's (stack/src/db-cli.ts, which starts the
// embedded Postgres when DATABASE_URL is unset).
import type { Config } from '../config/index.js';
import { createDb } from '../lib/db.js';
import { createLogger } from '../lib/logger.js';
import { migrate } from './migrator.js';
import { seed } from './seed.js';

/** Applies pending migrations to `url` and prints what it did. */
export async function migrateCommand(url: string): Promise<void> {
  const result = await migrate(url);
  for (const name of result.applied) console.log(`applied ${name}`);
  for (const name of result.modified) console.warn(`warning: ${name} changed after it was applied`);
  console.log(result.applied.length ? `${result.applied.length} migration(s) applied` : 'database is up to date');
}

/**
 * Migrates `migrationUrl` (DATABASE_DIRECT_URL's, when DATABASE_URL goes through a transaction
 * pooler), then adds the demo user, brands and posts (once) through `url`, and prints which.
 */
export async function seedCommand(config: Config, url: string, migrationUrl = url): Promise<void> {
  await migrate(migrationUrl);
  const { db, close } = createDb({ url, logger: createLogger(config, 'seed') });
  try {
    const result = await seed(db);
    console.log(
      result.created ? `seeded the demo user ${result.userId}` : `the demo user ${result.userId} exists already`,
    );
  } finally {
    await close();
  }
}
