import type { Response } from 'express';
import { listResponse, page } from '../../http/pagination.js';
import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { currentUser } from '../auth/require-user.js';
import { idParams } from '../brands/brands.schemas.js';
import type { JobEventHub } from './job-events.js';
import { FINAL_STATUSES, jobListQuery, jobSchema, toJobDto } from './jobs.schemas.js';
import type { JobsService } from './jobs.service.js';

const HEARTBEAT_MS = 15_000;

export function jobRoutes(table: RouteTable, { jobs, hub, db }: { jobs: JobsService; hub: JobEventHub; db: Db }) {
  const tag = 'Jobs';
  table.add(
    {
      method: 'get',
      path: '/jobs',
      operationId: 'listJobs',
      summary: 'Your jobs, newest first.',
      tag,
      query: jobListQuery,
      response: listResponse(jobSchema),
    },
    async ({ res, query }) => page(await jobs.list(currentUser(res).id, query), query.limit, toJobDto),
  );
  table.add(
    {
      method: 'get',
      path: '/jobs/:id',
      operationId: 'getJob',
      summary: 'One job.',
      tag,
      params: idParams,
      response: jobSchema,
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => toJobDto(await jobs.get(currentUser(res).id, params.id)),
  );
  table.add(
    {
      method: 'post',
      path: '/jobs/:id/cancel',
      operationId: 'cancelJob',
      summary: 'Cancel a job that has not started; its quota is refunded.',
      tag,
      params: idParams,
      response: jobSchema,
      errors: ['NOT_FOUND', 'INVALID_STATE'],
    },
    async ({ res, params }) => toJobDto(await jobs.cancel(currentUser(res).id, params.id)),
  );
  table.add(
    {
      method: 'get',
      path: '/jobs/:id/events',
      operationId: 'streamJobEvents',
      summary: 'Server-Sent Events of { status, progress } until the job reaches a final status (text/event-stream).',
      tag,
      params: idParams,
      errors: ['NOT_FOUND'],
      rawResponse: {
        mediaType: 'text/event-stream',
        description:
          'Events named `progress` whose data is JSON { status, progress }; the stream ends after a final status.',
      },
    },
    async ({ req, res, params }) => {
      const userId = currentUser(res).id;
      await jobs.get(userId, params.id); // 404 before the stream opens
      stream(
        res,
        (event, listener) => req.on(event, listener),
        hub,
        params.id,
        () => db.job.findUniqueOrThrow({ where: { id: params.id }, select: { status: true, progress: true } }),
      );
      return undefined;
    },
  );
}

function stream(
  res: Response,
  onRequest: (event: 'close', listener: () => void) => unknown,
  hub: JobEventHub,
  jobId: string,
  read: () => Promise<{ status: string; progress: number }>,
) {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  let last = '';
  let closed = false;
  const send = (event: { status: string; progress: number }) => {
    if (closed) return;
    const data = JSON.stringify({ status: event.status, progress: event.progress });
    if (data === last) return;
    last = data;
    res.write(`event: progress\ndata: ${data}\n\n`);
    if ((FINAL_STATUSES as readonly string[]).includes(event.status)) finish();
  };
  // Listen first, then read the row: no transition can fall between the two.
  // Events can overtake each other across processes; the row decides what is current.
  const stop = hub.listen(jobId, () => void read().then(send, () => undefined));
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  function finish() {
    if (closed) return;
    closed = true;
    stop();
    clearInterval(heartbeat);
    res.end();
  }
  onRequest('close', finish);
  read().then(send, finish);
}
