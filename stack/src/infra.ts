// Postgres and Redis for the local stack: the ones the environment names, or local ones kept
// under the data folder (`.data/` by default) and reused on the next start.
import { join } from 'node:path';
import type { Config, RedisTarget } from '@postaify/backend/tooling';
import { pickPort } from './ports.js';
import { startLocalPostgres, type LocalPostgres } from './postgres.js';
import { startLocalRedis, type LocalRedis } from './redis.js';

/** Preferred local ports: off the services' defaults so a system Postgres or Redis can coexist. */
export const LOCAL_POSTGRES_PORT = 54329;
export const LOCAL_REDIS_PORT = 63790;

export interface Infra {
  databaseUrl: string;
  /** Where migrations run: DATABASE_DIRECT_URL when set (DATABASE_URL may be a pooler's), else databaseUrl. */
  migrationUrl: string;
  /** The environment's Redis (one server or a cluster), or the local redis-server's URL. */
  redis: RedisTarget;
  postgres?: LocalPostgres;
  localRedis?: LocalRedis;
  stop: () => Promise<void>;
}

export async function startDatabase(
  config: Config,
  log: (line: string) => void,
): Promise<{ url: string; migrationUrl: string; local?: LocalPostgres }> {
  if (config.databaseUrl) return { url: config.databaseUrl, migrationUrl: config.database.migrationUrl! };
  const local = await startLocalPostgres({
    dataDir: join(config.dataDir, 'postgres'),
    port: await pickPort(LOCAL_POSTGRES_PORT),
    onLog: (line) => {
      // Not the refusals of our own connection attempts while it starts: those are expected.
      if (/FATAL|PANIC|ERROR/.test(line) && !line.includes('the database system is starting up')) {
        log(`postgres: ${line}`);
      }
    },
    notice: log,
  });
  return { url: local.url, migrationUrl: local.url, local };
}

export async function startInfra(config: Config, log: (line: string) => void): Promise<Infra> {
  const database = await startDatabase(config, log);
  let redis: LocalRedis | undefined;
  try {
    redis = config.redis
      ? undefined
      : await startLocalRedis({ dataDir: join(config.dataDir, 'redis'), port: await pickPort(LOCAL_REDIS_PORT), log });
  } catch (err) {
    await database.local?.stop();
    throw err;
  }
  return {
    databaseUrl: database.url,
    migrationUrl: database.migrationUrl,
    redis: config.redis ?? redis!.url,
    postgres: database.local,
    localRedis: redis,
    // Redis first: nothing needs it once the app processes are gone; Postgres last.
    stop: async () => {
      await redis?.stop();
      await database.local?.stop();
    },
  };
}
