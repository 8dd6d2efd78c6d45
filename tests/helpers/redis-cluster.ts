// A local Redis Cluster for a test file (stack/src/redis-cluster.ts; three masters unless told),
// in a folder of its own, with the environment a process takes it from.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startLocalRedisCluster,
  type LocalRedisCluster,
  type LocalRedisClusterOptions,
} from '../../stack/src/redis-cluster.ts';

export interface RedisCluster extends LocalRedisCluster {
  /** `REDIS_CLUSTER_NODES=…` for a process's environment. */
  env: Record<string, string>;
}

export async function startRedisCluster(
  options: Omit<LocalRedisClusterOptions, 'dataDir'> = {},
): Promise<RedisCluster> {
  const cluster = await startLocalRedisCluster({
    ...options,
    dataDir: mkdtempSync(join(tmpdir(), 'postaify-cluster-')),
  });
  return { ...cluster, env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') } };
}
