// The shared tail of every job-creating route: Idempotency-Key, accept, 202 (with
// Idempotent-Replayed on a replay).
import type { Request, Response } from 'express';
import type { JobType } from '../../generated/prisma/enums.js';
import { idempotencyKey } from '../../http/idempotency.js';
import type { Reservation } from '../usage/quota.js';
import type { JobsService } from './jobs.service.js';

export async function acceptJob(
  jobs: JobsService,
  req: Request,
  res: Response,
  job: { type: JobType; input: Record<string, unknown>; reservation: Reservation },
) {
  const accepted = await jobs.accept({
    userId: res.locals.user.id,
    ...job,
    idempotencyKey: idempotencyKey(req),
    route: `${req.method} ${req.baseUrl}${(req.route as { path: string }).path}`,
  });
  if (accepted.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return accepted.job;
}
