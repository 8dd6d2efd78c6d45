import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The repository's root: npm workspaces hoist `next` and the rest there.
const root = fileURLToPath(new URL('..', import.meta.url));

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // One build serves every deployment: nothing per-environment is inlined at build time (the
  // API's URL and Clerk's keys are read at run time by the root layout).
  turbopack: { root },
  outputFileTracingRoot: root,
  // Our own headers on every page; the API sets its own.
  headers() {
    return Promise.resolve([
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ]);
  },
};

export default config;
