// A local Redis Cluster for the tests and the delivery benchmark (never `npm start`, which runs one
// Redis): `masters` masters and no replicas, Debian's redis-server in cluster mode on free ports,
// the 16,384 slots split by `redis-cli --cluster create` as an operator would. Ready once every
// node reports cluster_state:ok: before that a client is answered CLUSTERDOWN.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { waitFor } from './process.js';
import { startLocalRedis, type LocalRedis } from './redis.js';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** The nodes as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  ports: number[];
  /** Kills one node at once (SIGKILL): a master lost, for a test of its replica taking over. */
  kill: (port: number) => Promise<void>;
  /** Stops every server and removes `dataDir`. */
  stop: () => Promise<void>;
}

export interface LocalRedisClusterOptions {
  /** A folder of its own: the servers' data and cluster files, removed by stop. */
  dataDir: string;
  masters?: number;
  /** Replicas of each master (default none). */
  replicas?: number;
  /**
   * How long a node may not answer before the others fail it over (redis-server's
   * cluster-node-timeout; default its own 15 s).
   */
  nodeTimeoutMs?: number;
  /** Called between steps; an error it returns stops what was started and is thrown (a Ctrl-C). */
  abort?: () => Error | undefined;
  /** Given `stop` before the first server starts, so a caller's own cleanup can stop a cluster still being built. */
  register?: (stop: () => Promise<void>) => void;
}

export async function startLocalRedisCluster({
  dataDir,
  masters = 3,
  replicas = 0,
  nodeTimeoutMs,
  abort = () => undefined,
  register = () => undefined,
}: LocalRedisClusterOptions): Promise<LocalRedisCluster> {
  mkdirSync(dataDir, { recursive: true });
  const servers: LocalRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  };
  register(stop);
  const check = () => {
    const err = abort();
    if (err) throw err;
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      check();
      const [port, busPort] = [await freePort(), await freePort()];
      servers.push(
        await startLocalRedis({
          dataDir: join(dataDir, String(port)),
          port,
          persistent: false,
          // The bus port is named: its default (the client port + 10,000) may be taken or past 65,535.
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-config-file',
            join(dataDir, `nodes-${port}.conf`),
            ...(nodeTimeoutMs === undefined ? [] : ['--cluster-node-timeout', String(nodeTimeoutMs)]),
          ],
        }),
      );
    }
    check();
    const ports = servers.map((s) => s.port);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    const clusterInfo = (p: number) => run('redis-cli', ['-p', String(p), 'cluster', 'info']).then((r) => r.stdout);
    await waitFor(
      'every cluster node to report cluster_state:ok',
      async () => (await Promise.all(ports.map(clusterInfo))).every((info) => info.includes('cluster_state:ok')),
      30_000,
      { intervalMs: 100, abort },
    );
    // A replica that never finished its first sync refuses to take over (its data is too old), so
    // the cluster is ready once each replica's link to its master is up.
    if (replicas > 0) {
      const replication = (p: number) =>
        run('redis-cli', ['-p', String(p), 'info', 'replication']).then((r) => r.stdout);
      await waitFor(
        "every replica's link to its master to be up",
        async () => {
          const infos = await Promise.all(ports.map(replication));
          const linked = infos.filter((info) => info.includes('master_link_status:up')).length;
          return linked === masters * replicas;
        },
        30_000,
        { intervalMs: 100, abort },
      );
    }
    const kill = async (port: number) => {
      await servers.find((s) => s.port === port)?.process.stop('SIGKILL');
    };
    return { nodes: ports.map((p) => `redis://127.0.0.1:${p}`), ports, kill, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
