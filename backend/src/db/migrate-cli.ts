// Applies pending migrations to DATABASE_DIRECT_URL, else DATABASE_URL: production's pre-deploy
// step (railway.json). Refused when that URL goes through a transaction pooler (pgbouncer=true):
// the migrator's advisory lock lives as long as its session. Locally, `npm run db:migrate` runs the
// stack's command instead, which also serves the embedded Postgres.
import { bootConfig } from '../config/boot.js';
import { migrateCommand } from './commands.js';

const config = bootConfig('db:migrate', ['databaseUrl', 'migrations']);
await migrateCommand(config.database.migrationUrl!);
