// The shared tail of every job-creating route: Idempotency-Key, accept, 202 (with
// Idempotent-Replayed on a replay). A refusal by a per-user cap carries Retry-After and the
// RateLimit headers.
import type { Request, Response } from 'express';
import type { JobType } from '../../generated/prisma/enums.js';
import { idempotencyKey } from '../../http/idempotency.js';
import { capHeaders } from '../usage/job-caps.js';
import type { Reservation } from '../usage/quota.js';
import type { JobsService } from './jobs.service.js';

export async function acceptJob(
  jobs: JobsService,
  req: Request,
  res: Response,
  job: { type: JobType; input: Record<string, unknown>; reservation: Reservation },
) {
  const accepted = await jobs
    .accept({
      userId: res.locals.user.id,
      ...job,
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
