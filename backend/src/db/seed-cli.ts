// `npm run db:seed`: migrates, then adds the demo user, brands and posts (once).
import { bootConfig } from '../lib/boot.js';
import { createDb } from '../lib/db.js';
import { createLogger } from '../lib/logger.js';
import { withDatabase } from './local-database.js';
import { migrate } from './migrator.js';
import { seed } from './seed.js';

const config = bootConfig('db:seed');
const logger = createLogger(config, 'seed');
const result = await withDatabase(config, async (url) => {
  await migrate(url);
  const { db, close } = createDb({ url, logger });
  try {
    return await seed(db);
  } finally {
    await close();
  }
});
console.log(result.created ? `seeded the demo user ${result.userId}` : `the demo user ${result.userId} exists already`);
