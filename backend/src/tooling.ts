// What the development tools outside this package use of the backend: the local stack (the
// `stack` workspace: `npm start`, the database commands' local fallback) and the scripts. The
// backend itself never imports them: the production build holds neither the stack nor its
// embedded Postgres.
export { repoRoot, type Config } from './config/index.js';
export { envSchema } from './config/env.js';
export type { RedisTarget } from './lib/redis.js';
export { bootConfig } from './config/boot.js';
export { migrate } from './db/migrator.js';
export { migrateCommand, seedCommand } from './db/commands.js';
export { LOCAL_BOT_TOKEN } from './integrations/telegram/client.js';
