// An HTTP pass-through for tests that must see or spread the traffic between processes: in front
// of one backend it lets a test count what one process sent (a worker's Bot API calls); in front
// of several it is a round-robin balancer, the one address that API_URL names.
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PassThrough {
  url: string;
  /** Requests passed to each backend, by index. */
  served: number[];
  close: () => Promise<void>;
}

export async function passThrough(
  backends: string[],
  onAnswer: (req: IncomingMessage, answer: IncomingMessage) => void = () => {},
): Promise<PassThrough> {
  const agent = new Agent({ keepAlive: true });
  const served = backends.map(() => 0);
  let next = 0;
  const server = createServer((req, res) => {
    const index = next++ % backends.length;
    served[index]!++;
    const to = new URL(backends[index]!);
    const upstream = request(
      { hostname: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        onAnswer(req, answer);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** A pass-through to Telegram counting the sends it accepted (sendMessage, sendPhoto, sendVoice). */
export async function countingSends(telegramUrl: string) {
  let sends = 0;
  const proxy = await passThrough([telegramUrl], (req, answer) => {
    if (/\/send(Message|Photo|Voice)$/.test(req.url ?? '') && answer.statusCode === 200) sends++;
  });
  return { ...proxy, sends: () => sends };
}
