import { GeistMono } from 'geist/font/mono';
import { GeistSans } from 'geist/font/sans';
import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { readRuntimeConfig } from '@/lib/runtime-config';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Postaify', template: '%s · Postaify' },
  description: 'AI-written social posts, delivered to your own Telegram chat.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0c0c0f' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read the deployment's settings per request, not at build time: one build, any environment.
  await connection();
  const config = readRuntimeConfig(process.env, (await headers()).get('accept-language'));
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`} suppressHydrationWarning>
      <body className="min-h-dvh antialiased">
        <a
          href="#main"
          className="sr-only z-50 rounded-md bg-accent px-3 py-2 text-accent-fg focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
        >
          Skip to content
        </a>
        <Providers config={config}>{children}</Providers>
      </body>
    </html>
  );
}
