// Migrates (DATABASE_DIRECT_URL, else DATABASE_URL), then adds the demo user, brands and posts
// (once) through DATABASE_URL. Locally, `npm run db:seed` runs the stack's command instead, which
// also serves the embedded Postgres.
import { bootConfig } from '../config/boot.js';
import { seedCommand } from './commands.js';

const config = bootConfig('db:seed', ['databaseUrl', 'migrations']);
await seedCommand(config, config.databaseUrl!, config.database.migrationUrl);
