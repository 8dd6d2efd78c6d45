// Applies pending migrations to DATABASE_URL: production's pre-deploy step (railway.json). Locally,
// `npm run db:migrate` runs the stack's command instead, which also serves the embedded Postgres.
import { bootConfig } from '../config/boot.js';
import { migrateCommand } from './commands.js';

const config = bootConfig('db:migrate', ['databaseUrl']);
await migrateCommand(config.databaseUrl!);
