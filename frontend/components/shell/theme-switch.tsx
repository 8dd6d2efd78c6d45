'use client';
import { Monitor, Moon, Sun } from 'lucide-react';
import { useTheme } from 'next-themes';
import { useEffect, useState } from 'react';
import { cn } from '@/lib/cn';

const THEMES = [
  { id: 'light', label: 'Light theme', icon: Sun },
  { id: 'dark', label: 'Dark theme', icon: Moon },
  { id: 'system', label: 'System theme', icon: Monitor },
] as const;

/** Light, dark or the system's: three real buttons, the current one pressed. */
export function ThemeSwitch() {
  const { theme, setTheme } = useTheme();
  // The stored theme is known only in the browser; render neutral until then.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <div role="group" aria-label="Theme" className="inline-flex rounded-md border border-border p-0.5">
      {THEMES.map(({ id, label, icon: Icon }) => (
        <button
          key={id}
          type="button"
          aria-label={label}
          aria-pressed={mounted ? theme === id : undefined}
          onClick={() => setTheme(id)}
          className={cn(
            'inline-flex size-8 items-center justify-center rounded hover:text-fg',
            mounted && theme === id ? 'bg-subtle text-fg' : 'text-muted',
          )}
        >
          <Icon aria-hidden className="size-4" />
        </button>
      ))}
    </div>
  );
}
