import type { Response } from 'express';
import { listResponse, page } from '../../http/pagination.js';
import type { RouteTable } from '../../http/route.js';
import { currentUser } from '../../http/current-user.js';
import { idParams } from '../../http/params.js';
import type { JobEvent, JobEventHub } from './job-events.js';
import { EXAMPLE_JOB, FINAL_STATUSES, jobListQuery, jobSchema, toJobDto } from './jobs.schemas.js';
import type { JobsService } from './jobs.service.js';

const HEARTBEAT_MS = 15_000;

export function jobRoutes(table: RouteTable, { jobs, hub }: { jobs: JobsService; hub: JobEventHub }) {
  const tag = 'Jobs';
  table.add(
    {
      method: 'get',
      path: '/jobs',
      operationId: 'listJobs',
      summary: 'List jobs',
      description: 'Your jobs, newest first, a page at a time; filter by `status` and `type`.',
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
      summary: 'Get a job',
      description:
        'Its status, progress and, once it has finished, its `result` or `error`. Poll it every second or two, or follow `GET /jobs/{id}/events`.',
      tag,
      params: idParams,
      response: jobSchema,
      examples: { response: EXAMPLE_JOB },
      errors: ['NOT_FOUND'],
    },
    async ({ res, params }) => toJobDto(await jobs.get(currentUser(res).id, params.id)),
  );
  table.add(
    {
      method: 'post',
      path: '/jobs/:id/cancel',
      operationId: 'cancelJob',
      summary: 'Cancel a job',
      description: 'Cancel a job that has not started yet (409 `INVALID_STATE` otherwise); its quota is refunded.',
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
      summary: 'Follow a job (Server-Sent Events)',
      description:
        'A `text/event-stream` of `progress` events whose data is `{ "status", "progress" }`: the current state first, then each change, until a final status (`SUCCEEDED`, `FAILED`, `CANCELLED`), when the stream ends. A stream lasts at most 10 minutes by default (then it ends: read the job, or open a new one); at most 5 streams per user at once by default (429 `RATE_LIMITED` with `Retry-After` past that). When the serving process shuts down, the stream ends early with `retry: 1000` and an `event: reconnect` whose data is plain text: open it again (or read the job); during a shutdown a new stream is 503 `SERVICE_UNAVAILABLE` with `Retry-After`. In a browser: `new EventSource(url)` cannot send a bearer token, so read it with `fetch` and a stream reader.',
      tag,
      params: idParams,
      errors: ['NOT_FOUND'],
      rawResponse: {
        mediaType: 'text/event-stream',
        description: 'A stream of `progress` events; it ends after a final status.',
      },
    },
    async ({ req, res, params }) => {
      // A slot first (429 past the user's or the process's streams), released when the stream ends.
      const slot = await hub.admit(res, currentUser(res).id);
      // Listen first, then read the row: no transition can fall between the two. Events that
      // arrive meanwhile wait; the row is the first state sent.
      const early: JobEvent[] = [];
      let deliver: (e: JobEvent) => void = (e) => void early.push(e);
      const unlisten = hub.listen(params.id, (e) => deliver(e));
      const stop = () => {
        unlisten();
        slot.release();
      };
      let job;
      try {
        job = await jobs.get(currentUser(res).id, params.id); // 404 before the stream opens
      } catch (err) {
        stop();
        throw err;
      }
      deliver = stream(res, (event, listener) => req.on(event, listener), stop, job, slot.lifetimeMs);
      for (const e of early) deliver(e);
      return undefined;
    },
  );
}

/**
 * Writes `first`, then each event it is handed, until a final status; returns the function that
 * takes events. Events are the worker's own (sent in order on one connection), but one read
 * before the stream and the events around it can arrive in either order, so an event that would
 * move progress back is dropped: a client only ever sees progress go forward.
 */
function stream(
  res: Response,
  onRequest: (event: 'close', listener: () => void) => unknown,
  stop: () => void,
  first: { status: string; progress: number },
  lifetimeMs: number,
): (event: JobEvent) => void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  let last: { status: string; progress: number } | undefined;
  let closed = false;
  const isFinal = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);
  const send = (event: { status: string; progress: number }) => {
    if (closed) return;
    const final = isFinal(event.status);
    if (
      last &&
      !final &&
      (event.progress < last.progress || (event.progress === last.progress && event.status === last.status))
    )
      return;
    last = { status: event.status, progress: event.progress };
    res.write(`event: progress\ndata: ${JSON.stringify(last)}\n\n`);
    if (final) finish();
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  // At the end of its life the stream ends like a lost connection: the client reads the job.
  const expiry = setTimeout(finish, lifetimeMs);
  function finish() {
    if (closed) return;
    closed = true;
    stop();
    clearInterval(heartbeat);
    clearTimeout(expiry);
    res.end();
  }
  onRequest('close', finish);
  send(first);
  return send;
}
