// Shared start-up for the process roots: parse the configuration (printing one line per problem
// and exiting if it is refused) and insist on the connection URLs a role needs.
import { ConfigError, loadConfig, type Config } from './index.js';

export function bootConfig(role: string, needs: Array<'databaseUrl' | 'redis'> = []): Config {
  try {
    const config = loadConfig();
    const missing = needs.filter((k) => !config[k]);
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map(
          (k) =>
            `${k === 'databaseUrl' ? 'DATABASE_URL is not set' : 'neither REDIS_URL nor REDIS_CLUSTER_NODES is set'}: the ${role} process only connects to what its environment names (run \`npm start\` for the whole local stack)`,
        ),
      );
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`postaify ${role}: refusing to start\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
      process.exit(1);
    }
    throw err;
  }
}
