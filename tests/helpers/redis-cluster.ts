// A local Redis Cluster for the tests: three masters (Debian's redis-server in cluster mode, no
// replicas) on free ports, their 16,384 slots split by `redis-cli --cluster create`, as an operator
// would build one. Returned once every node reports cluster_state:ok.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../stack/src/ports.ts';
import { startLocalRedis, type LocalRedis } from '../../stack/src/redis.ts';
import { until } from './wait.ts';

const run = promisify(execFile);

export interface RedisCluster {
  /** The seed nodes as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** `REDIS_CLUSTER_NODES=…` for a process's environment. */
  env: Record<string, string>;
  ports: number[];
  stop: () => Promise<void>;
}

export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'postaify-cluster-'));
  chmodSync(dir, 0o700);
  const servers: LocalRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      servers.push(
        await startLocalRedis({
          dataDir: join(dir, String(port)),
          port,
          persistent: false,
          // The bus port is named: its default (the client port + 10,000) may be taken or past 65,535.
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
          ],
        }),
      );
    }
    const ports = servers.map((s) => s.port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await until(
      'every cluster node to report cluster_state:ok',
      async () => {
        const infos = await Promise.all(
          ports.map((p) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout)),
        );
        return infos.every((info) => info.includes('cluster_state:ok'));
      },
      30_000,
    );
    const nodes = ports.map((p) => `redis://127.0.0.1:${p}`);
    return { nodes, env: { REDIS_CLUSTER_NODES: nodes.join(',') }, ports, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
