// Every response carries X-Request-Id: an inbound id of up to 128 safe characters is kept (so a
// proxy's id threads through the logs), anything else is replaced by a fresh UUID.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** This request's id, as sent back in X-Request-Id. */
      requestId: string;
    }
  }
}

const SAFE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const inbound = req.get('x-request-id');
    const id = inbound && SAFE_ID.test(inbound) ? inbound : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
