'use client';
import { ThemeProvider } from 'next-themes';
import type { ReactNode } from 'react';
import { ApiProvider } from '@/lib/api/provider';
import { AuthProvider } from '@/lib/auth/auth-provider';
import type { RuntimeConfig } from '@/lib/runtime-config';
import { RuntimeConfigProvider } from '@/lib/runtime-config-context';

export function Providers({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange>
      <RuntimeConfigProvider config={config}>
        <AuthProvider>
          <ApiProvider>{children}</ApiProvider>
        </AuthProvider>
      </RuntimeConfigProvider>
    </ThemeProvider>
  );
}
