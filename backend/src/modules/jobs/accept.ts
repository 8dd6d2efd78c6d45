// The shared tail of every job-creating route: Idempotency-Key, accept, 202 (with
// Idempotent-Replayed on a replay). The route passes its job type's definition (define-job.ts) and
// the input to store; the quota it reserves comes from the definition. A refusal by a per-user cap
// carries Retry-After and the RateLimit headers.
import type { Request, Response } from 'express';
import { idempotencyKey } from '../../http/idempotency.js';
import { capHeaders } from '../usage/usage.service.js';
import type { JobSpec } from './define-job.js';
import type { Accepted, AcceptRequest } from './jobs.schemas.js';

export async function acceptJob<Input extends object>(
  jobs: { accept: <I extends object>(req: AcceptRequest<I>) => Promise<Accepted> },
  req: Request,
  res: Response,
  job: JobSpec<JobSpec['type'], Input>,
  input: NoInfer<Input>,
) {
  const accepted = await jobs
    .accept({
      userId: res.locals.user.id,
      job,
      input,
      idempotencyKey: idempotencyKey(req),
      route: `${req.method} ${req.baseUrl}${(req.route as { path: string }).path}`,
    })
    .catch((err: unknown) => {
      const headers = capHeaders(err);
      if (headers) {
        res.setHeader('Retry-After', headers.retryAfter);
        // Appended: the route's own per-minute limiter may have named its policy already.
        res.append('RateLimit-Policy', headers.policy);
        res.append('RateLimit', headers.limit);
      }
      throw err;
    });
  if (accepted.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return accepted.job;
}
