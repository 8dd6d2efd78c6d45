// Signed-in routes: a verified Clerk session token, and the user row behind it.
import { getAuth } from '@clerk/express';
import type { RequestHandler } from 'express';
import { AppError } from '../../lib/errors.js';
import { bearerToken } from './clerk.js';
import '../../http/current-user.js'; // res.locals.user's type
import type { UsersService } from '../users/users.service.js';

const claim = (claims: Record<string, unknown> | null | undefined, key: string) => {
  const value = claims?.[key];
  return typeof value === 'string' && value.length > 0 && value.length <= 254 ? value : undefined;
};

export function requireUser(users: UsersService): RequestHandler {
  return async (req, res, next) => {
    if (res.locals.user) {
      next(); // already resolved by a prefix's middleware
      return;
    }
    const auth = getAuth(req);
    if (!auth.isAuthenticated || !auth.userId) {
      const header = req.headers.authorization;
      throw new AppError(
        'UNAUTHORIZED',
        header !== undefined && !bearerToken(header)
          ? 'The Authorization header must be "Bearer <session token>".'
          : 'Sign in first: this route needs a valid session token (Authorization: Bearer …).',
      );
    }
    const claims = auth.sessionClaims as Record<string, unknown> | null;
    res.locals.user = await users.resolve(auth.userId, { email: claim(claims, 'email'), name: claim(claims, 'name') });
    next();
  };
}
