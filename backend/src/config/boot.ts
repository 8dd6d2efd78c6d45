// Shared start-up for the process roots: parse the configuration (printing one line per problem
// and exiting if it is refused) and insist on what a role needs: the connection URLs it uses and,
// for the migration commands, a migration URL that can hold a session (not a transaction pooler).
import { migrationProblems } from './database.js';
import { ConfigError, loadConfig, type Config } from './index.js';

export type Need = 'databaseUrl' | 'redis' | 'migrations';

export function bootConfig(role: string, needs: Need[] = []): Config {
  try {
    const config = loadConfig();
    const problems = needs.flatMap((need) => unmet(config, need, role));
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`postaify ${role}: refusing to start\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      process.exit(1);
    }
    throw err;
  }
}

function unmet(config: Config, need: Need, role: string): string[] {
  const only = `the ${role} process only connects to what its environment names (run \`npm start\` for the whole local stack)`;
  if (need === 'databaseUrl') return config.databaseUrl ? [] : [`DATABASE_URL is not set: ${only}`];
  if (need === 'redis') return config.redis ? [] : [`neither REDIS_URL nor REDIS_CLUSTER_NODES is set: ${only}`];
  // No URL at all is the other needs' business (or the local stack's embedded Postgres).
  return migrationProblems(config.database.migrationUrl);
}
