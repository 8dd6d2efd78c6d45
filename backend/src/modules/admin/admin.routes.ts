// The admin pages: Bull Board over every queue, for the users named in ADMIN_USER_IDS only. Built
// (and mounted, api.ts) only when that list names someone; otherwise none of these paths exists.
//
//   GET    …/admin            the sign-in page: paste a session token
//   GET    …/admin/sign-in.js its script
//   POST   …/admin/session    Authorization: Bearer <session token> → 204 + the admin cookie
//   DELETE …/admin/session    sign out (clears the cookie)
//   *      …/admin/queues/…   Bull Board: the UI, its assets and its API
//
// Every request to the board carries the cookie (HttpOnly, SameSite=Strict, Secure over https,
// Path limited to …/admin), verified with the server's HMAC key, and the user it names is looked
// up and checked against ADMIN_USER_IDS each time, so removing someone from the list (or deleting
// the account) ends their access at once. CSRF: SameSite=Strict keeps the cookie off cross-site
// requests; a same-site page (the web app on another port or subdomain) still gets it sent, so
// every mutating request must also carry an Origin header naming the API itself, and a read with
// a foreign Origin is refused too (CORS allows the web app credentialed reads of /api/v1). Each
// sign-in, each refused sign-in of a signed-in user and each mutating board request is a row of
// the audit log, written before the board acts. The board's "add job" and "edit data" are refused.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Db } from '../../lib/db.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { currentUser } from '../../http/current-user.js';
import { recordAudit } from '../audit/audit.service.js';
import { signInPage, SIGN_IN_SCRIPT } from './admin-page.js';
import { ADMIN_COOKIE, ADMIN_SESSION_SECONDS, createAdminSessions, readCookie } from './admin-session.js';

export interface AdminDeps {
  db: Db;
  logger: Logger;
  /** ADMIN_USER_IDS: user ids or Clerk user ids. */
  userIds: readonly string[];
  sessionSecret: string | undefined;
  /** The API's public URL (API_URL): its origin is the one a mutating request may come from. */
  apiUrl: string;
  /** Where the router is mounted, e.g. /api/v1/admin (Bull Board's links and the cookie's Path). */
  basePath: string;
  /** Every queue the board shows. */
  queues: readonly Queue[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Bull Board's actions that write a job's data: refused. Jobs are made by the product from rows;
 * a hand-made notice job, say, would send any text to any user's Telegram chat.
 */
const REFUSED_ACTIONS = [/^\/api\/queues\/[^/]+\/add$/, /^\/api\/queues\/[^/]+\/[^/]+\/update-data$/];
const MAX_AUDITED_PATH = 512;

export function createAdmin({ db, logger, userIds, sessionSecret, apiUrl, basePath, queues }: AdminDeps) {
  const admins = new Set(userIds);
  const sessions = createAdminSessions(sessionSecret);
  const apiOrigin = new URL(apiUrl).origin;
  const secureByConfig = apiOrigin.startsWith('https:');

  const board = new ExpressAdapter();
  board.setBasePath(`${basePath}/queues`);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Postaify queues' } },
  });
  const boardApp = board.getRouter() as Express;
  boardApp.disable('x-powered-by');

  const isAdmin = (user: { id: string; clerkId: string }) => admins.has(user.id) || admins.has(user.clerkId);

  const cookie = (req: Request, value: string, maxAge: number) =>
    [
      `${ADMIN_COOKIE}=${value}`,
      `Path=${basePath}`,
      `Max-Age=${maxAge}`,
      'HttpOnly',
      'SameSite=Strict',
      ...(secureByConfig || req.secure ? ['Secure'] : []),
    ].join('; ');

  /** The request comes from a page of the API's own origin (or no page at all, for a read). */
  const checkOrigin = (req: Request, mutating: boolean) => {
    const origin = req.get('origin');
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    const fetchSite = req.get('sec-fetch-site');
    const foreignOrigin = origin !== undefined && origin !== apiOrigin && origin !== own;
    const foreignSite = fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
    if (foreignOrigin || (mutating && (origin === undefined || foreignSite))) {
      throw new AppError(
        'FORBIDDEN',
        mutating
          ? 'Admin actions are accepted only from the admin pages themselves (Origin must be this API).'
          : 'The admin pages answer only their own origin.',
      );
    }
  };

  /** The signed-in admin behind the cookie, re-checked against ADMIN_USER_IDS on every request. */
  const requireAdmin: RequestHandler = async (req, res, next) => {
    const raw = readCookie(req, ADMIN_COOKIE);
    const session = sessions.verify(raw);
    if (!session) {
      if (raw !== undefined) res.setHeader('Set-Cookie', cookie(req, '', 0));
      if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html' && raw === undefined) {
        res.redirect(303, basePath);
        return;
      }
      throw new AppError(
        'UNAUTHORIZED',
        raw === undefined
          ? `Sign in at ${basePath} first: the admin pages need their session cookie.`
          : `The admin session is not valid or has expired: sign in again at ${basePath}.`,
      );
    }
    const mutating = !SAFE_METHODS.has(req.method);
    checkOrigin(req, mutating);
    const user = await db.user.findUnique({
      where: { id: session.userId },
      select: { id: true, clerkId: true, deletedAt: true },
    });
    if (!user || user.deletedAt || !isAdmin(user)) {
      throw new AppError('FORBIDDEN', 'This account is not an admin (ADMIN_USER_IDS).');
    }
    if (mutating) {
      if (REFUSED_ACTIONS.some((action) => action.test(req.path))) {
        throw new AppError(
          'FORBIDDEN',
          'Jobs and their data are made by the product: the board does not add or edit them.',
        );
      }
      const path = req.originalUrl.split('?')[0]!.slice(0, MAX_AUDITED_PATH);
      await recordAudit(db, {
        action: 'admin_queue_action',
        actor: 'admin',
        userId: user.id,
        data: { method: req.method, path },
        requestId: res.locals.requestId,
      });
      logger.info({ admin: user.id, method: req.method, path }, 'admin queue action');
    }
    next();
  };

  /** Mounts the admin paths on `router` (at `basePath`), behind the API's bearer authentication. */
  const routes = (authenticate: readonly RequestHandler[]) => {
    const router = Router();
    router.get('/', (_req, res: Response) => {
      res.type('html').send(signInPage(basePath));
    });
    router.get('/sign-in.js', (_req, res: Response) => {
      res.type('text/javascript').send(SIGN_IN_SCRIPT);
    });
    router.post('/session', ...authenticate, async (req, res: Response) => {
      const user = currentUser(res);
      const allowed = isAdmin(user);
      await recordAudit(db, {
        action: allowed ? 'admin_signed_in' : 'admin_sign_in_refused',
        actor: 'admin',
        userId: user.id,
        requestId: res.locals.requestId,
      });
      if (!allowed) throw new AppError('FORBIDDEN', 'This account is not an admin (ADMIN_USER_IDS).');
      logger.info({ admin: user.id }, 'admin signed in');
      res.setHeader('Set-Cookie', cookie(req, sessions.sign(user.id), ADMIN_SESSION_SECONDS));
      res.status(204).end();
    });
    router.delete('/session', (req, res: Response) => {
      checkOrigin(req, true);
      res.setHeader('Set-Cookie', cookie(req, '', 0));
      res.status(204).end();
    });
    router.use('/queues', requireAdmin, boardApp);
    return router;
  };

  return { routes, sessions };
}

export type Admin = ReturnType<typeof createAdmin>;
