// Where Redis is: REDIS_URL names one server, REDIS_CLUSTER_NODES a cluster's seed nodes. Only one
// of the two, and a cluster's nodes must agree on what a connection to each of them needs.
import type { RedisTarget } from '../lib/redis.js';
import { createScrubber } from '../lib/secrets.js';
import type { RawEnv } from './env.js';

/** A node as a problem may show it: the logger's scrubber takes any URL's password out. */
const redact = createScrubber();

export function redisTargetOf(env: RawEnv): RedisTarget | undefined {
  if (env.REDIS_CLUSTER_NODES.length > 0) return { cluster: env.REDIS_CLUSTER_NODES };
  return env.REDIS_URL;
}

export function redisProblems(env: RawEnv): string[] {
  const nodes = env.REDIS_CLUSTER_NODES;
  if (nodes.length === 0) return [];
  if (env.REDIS_URL) {
    return ['REDIS_URL and REDIS_CLUSTER_NODES are both set: name one server or a cluster, not both'];
  }
  const problems: string[] = [];
  const urls: URL[] = [];
  for (const node of nodes) {
    const url = URL.canParse(node) ? new URL(node) : undefined;
    if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
      problems.push(`REDIS_CLUSTER_NODES: ${JSON.stringify(redact(node))} is not a redis:// or rediss:// URL`);
    } else if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0') {
      // A cluster has database 0 only: SELECT is refused.
      problems.push(`REDIS_CLUSTER_NODES: ${redact(node)} names a database; a Redis Cluster has only database 0`);
    } else urls.push(url);
  }
  const shape = (u: URL) => `${u.protocol}${u.username}:${u.password}`;
  if (urls.length > 1 && new Set(urls.map(shape)).size > 1) {
    problems.push(
      'REDIS_CLUSTER_NODES: every node must use the same scheme (redis:// or rediss://) and credentials: the client connects to the nodes it discovers with them',
    );
  }
  return problems;
}
