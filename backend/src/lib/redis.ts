// ioredis connections, to one Redis or to a Redis Cluster. BullMQ needs two kinds: producers fail
// fast when Redis is away (`enableOfflineQueue: false`) so an HTTP request never hangs on it;
// workers block on Redis and must retry forever (`maxRetriesPerRequest: null`). Reconnects back
// off to at most one second.
import { Cluster, Redis as Single, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/** A connection: one server's, or a cluster's (the same commands, routed to each key's node). */
export type Redis = Single | Cluster;

/**
 * Where Redis is: one server's URL (REDIS_URL), or a cluster's seed nodes (REDIS_CLUSTER_NODES,
 * `redis://` or `rediss://` URLs sharing one scheme and one set of credentials; the client learns
 * the other nodes from them).
 */
export type RedisTarget = string | { readonly cluster: readonly string[] };

export const isCluster = (target: RedisTarget): target is { readonly cluster: readonly string[] } =>
  typeof target !== 'string';

type Role = 'producer' | 'worker';

const base = (name: string): RedisOptions => ({
  connectionName: `postaify:${name}`,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 1_000),
});

const forRole = (role: Role, name: string): RedisOptions =>
  role === 'producer'
    ? { ...base(name), enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000 }
    : { ...base(name), maxRetriesPerRequest: null };

/** The seed nodes and the options every node's connection shares (credentials, TLS). */
function clusterOf(nodes: readonly string[], role: Role, name: string): Cluster {
  const urls = nodes.map((n) => new URL(n));
  const first = urls[0]!;
  const redisOptions: RedisOptions = {
    ...forRole(role, name),
    username: decodeURIComponent(first.username) || undefined,
    password: decodeURIComponent(first.password) || undefined,
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const options: ClusterOptions = {
    redisOptions,
    enableOfflineQueue: role !== 'producer',
    clusterRetryStrategy: (times) => Math.min(times * 100, 1_000),
    // A node that fails over answers CLUSTERDOWN / TRYAGAIN for a moment: retry within a second.
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2_000,
  };
  return new Cluster(
    urls.map((u) => ({ host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 6379) })),
    options,
  );
}

export function createRedis(target: RedisTarget, logger: Logger, role: Role, name: string): Redis {
  const redis = isCluster(target) ? clusterOf(target.cluster, role, name) : new Single(target, forRole(role, name));
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ reason: err.message, redis: name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ redis: name }, 'redis connection restored');
    down = false;
  });
  return redis;
}
