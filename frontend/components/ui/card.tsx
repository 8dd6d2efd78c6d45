import type { ComponentProps } from 'react';
import { cn } from '@/lib/cn';

export const Card = ({ className, ...props }: ComponentProps<'section'>) => (
  <section className={cn('rounded-lg border border-border bg-bg p-4', className)} {...props} />
);

export const CardTitle = ({ className, ...props }: ComponentProps<'h2'>) => (
  <h2 className={cn('text-sm font-semibold', className)} {...props} />
);
