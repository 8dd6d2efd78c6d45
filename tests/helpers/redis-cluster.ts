// A local three-master Redis Cluster for a test file (stack/src/redis-cluster.ts), in a folder of
// its own, with the environment a process takes it from.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalRedisCluster, type LocalRedisCluster } from '../../stack/src/redis-cluster.ts';

export interface RedisCluster extends LocalRedisCluster {
  /** `REDIS_CLUSTER_NODES=…` for a process's environment. */
  env: Record<string, string>;
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const cluster = await startLocalRedisCluster({
    dataDir: mkdtempSync(join(tmpdir(), 'postaify-cluster-')),
    masters,
  });
  return { ...cluster, env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') } };
}
