import type { ComponentProps } from 'react';
import { cn } from '@/lib/cn';

/** A bordered panel; `tone="danger"` for one that reports a problem. */
export const Card = ({ className, tone, ...props }: ComponentProps<'section'> & { tone?: 'danger' }) => (
  <section
    className={cn(
      'rounded-lg border bg-bg p-4',
      tone === 'danger' ? 'border-red-200 dark:border-red-900' : 'border-border',
      className,
    )}
    {...props}
  />
);

export const CardTitle = ({ className, ...props }: ComponentProps<'h2'>) => (
  <h2 className={cn('text-sm font-semibold', className)} {...props} />
);
