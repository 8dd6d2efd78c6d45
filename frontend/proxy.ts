// Clerk's middleware, only when both Clerk keys are set (read at run time). Without them nothing
// of Clerk runs: @clerk/nextjs answers 500 on every request when it is mounted without keys.
import type { NextFetchEvent, NextRequest } from 'next/server';
import { NextResponse } from 'next/server';

type Handler = (
  req: NextRequest,
  event: NextFetchEvent,
) => Response | Promise<Response | undefined | void> | undefined | void;
let clerk: Promise<Handler> | undefined;

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  const publishableKey = process.env.CLERK_PUBLISHABLE_KEY?.trim();
  const secretKey = process.env.CLERK_SECRET_KEY?.trim();
  if (!publishableKey || !secretKey) return NextResponse.next();
  // Only the publishable key is handed over (NEXT_PUBLIC_* would be fixed at build time); the
  // secret key Clerk reads from CLERK_SECRET_KEY itself, at run time. Handing it over too makes
  // @clerk/nextjs pass it on to the page encrypted, which needs a CLERK_ENCRYPTION_KEY, and it
  // answers 500 on every page without one.
  clerk ??= import('@clerk/nextjs/server').then(
    ({ clerkMiddleware }) => clerkMiddleware({ publishableKey }) as Handler,
  );
  return (await (await clerk)(req, event)) ?? NextResponse.next();
}

export const config = {
  // Pages only: not Next's own assets or files with an extension.
  matcher: ['/((?!_next|.*\\..*).*)'],
};
