import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

// The repository's root: npm workspaces hoist `next` and the rest there.
const root = fileURLToPath(new URL('..', import.meta.url));

// twitter-text (the X counter's rule) is built for old browsers: its parseTweet requires these
// core-js 2 polyfills of ES2015 (about a third of what the X editor would load for it). Every
// browser Next.js 16 supports has them natively, so in the browser they resolve to nothing; the
// server and the backend keep the package as it is.
const ES2015_POLYFILLS = [
  'es6.array.index-of',
  'es6.array.is-array',
  'es6.array.iterator',
  'es6.array.reduce',
  'es6.array.sort',
  'es6.object.define-property',
  'es6.object.keys',
  'es6.object.to-string',
  'es6.regexp.constructor',
  'es6.regexp.match',
  'es6.regexp.replace',
  'es6.regexp.split',
  'web.dom.iterable',
];
const resolveAlias = Object.fromEntries(
  ES2015_POLYFILLS.map((name) => [`core-js/modules/${name}`, { browser: './lib/empty-module.ts' }]),
);

const config: NextConfig = {
  reactStrictMode: true,
  // The Docker image's build (NEXT_OUTPUT=standalone, Dockerfile) traces the files the server
  // needs into .next/standalone: about 42 MB instead of a 460 MB production install. Every other
  // build keeps `next start`, which standalone output does not support.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  poweredByHeader: false,
  // One build serves every deployment: nothing per-environment is inlined at build time (the
  // API's URL and Clerk's keys are read at run time by the root layout).
  turbopack: { root, resolveAlias },
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
