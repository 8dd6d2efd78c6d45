// `npm run db:migrate` and `npm run db:seed`: the database DATABASE_URL names (migrated through
// DATABASE_DIRECT_URL when set), or the local stack's embedded Postgres (under the data folder),
// started for the command and stopped after.
import { bootConfig, migrateCommand, seedCommand } from '@postaify/backend/tooling';
import { startDatabase } from './infra.js';

const command = process.argv[2];
if (command !== 'migrate' && command !== 'seed') {
  console.error('usage: node stack/dist/db-cli.js migrate|seed');
  process.exit(2);
}
const config = bootConfig(`db:${command}`, ['migrations']);
const { url, migrationUrl, local } = await startDatabase(config, (line) => process.stderr.write(`${line}\n`));
try {
  await (command === 'migrate' ? migrateCommand(migrationUrl) : seedCommand(config, url, migrationUrl));
} finally {
  await local?.stop();
}
