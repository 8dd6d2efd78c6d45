// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the local embedded Postgres).
import { bootConfig } from '../lib/boot.js';
import { withDatabase } from './local-database.js';
import { migrate } from './migrator.js';

const config = bootConfig('db:migrate');
const result = await withDatabase(config, (url) => migrate(url));
for (const name of result.applied) console.log(`applied ${name}`);
for (const name of result.modified) console.warn(`warning: ${name} changed after it was applied`);
console.log(result.applied.length ? `${result.applied.length} migration(s) applied` : 'database is up to date');
