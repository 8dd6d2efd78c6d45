// Migrates DATABASE_URL, then adds the demo user, brands and posts (once). Locally, `npm run
// db:seed` runs the stack's command instead, which also serves the embedded Postgres.
import { bootConfig } from '../config/boot.js';
import { seedCommand } from './commands.js';

const config = bootConfig('db:seed', ['databaseUrl']);
await seedCommand(config, config.databaseUrl!);
