'use client';
import { cva, type VariantProps } from 'class-variance-authority';
import Link from 'next/link';
import type { ComponentProps } from 'react';
import { cn } from '@/lib/cn';
import { useHydrated } from '@/lib/use-hydrated';

const buttonStyles = cva(
  'inline-flex items-center justify-center gap-2 rounded-md font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-50',
  {
    variants: {
      variant: {
        primary: 'bg-accent text-accent-fg hover:bg-accent-hover',
        secondary: 'border border-border bg-bg text-fg hover:bg-subtle',
        ghost: 'text-fg hover:bg-subtle',
        danger: 'border border-border bg-bg text-danger hover:bg-red-50 dark:hover:bg-red-950',
      },
      // Each size owns height, padding and text size (cn does not merge: see lib/cn.ts).
      size: { md: 'min-h-10 px-3.5 text-sm sm:min-h-9', sm: 'min-h-8 px-2.5 text-xs' },
    },
    defaultVariants: { variant: 'secondary', size: 'md' },
  },
);

type Variants = VariantProps<typeof buttonStyles>;

/**
 * Disabled until the page has hydrated: React does not replay a click that lands on server-rendered
 * HTML before its handlers are attached, so an early tap on a slow phone would do nothing at all.
 * (A link needs no JavaScript and stays live.)
 */
export function Button({
  className,
  variant,
  size,
  type = 'button',
  disabled,
  ...props
}: ComponentProps<'button'> & Variants) {
  const hydrated = useHydrated();
  return (
    <button
      type={type}
      disabled={!hydrated || disabled}
      className={cn(buttonStyles({ variant, size }), className)}
      {...props}
    />
  );
}

export function ButtonLink({ className, variant, size, ...props }: ComponentProps<typeof Link> & Variants) {
  return <Link className={cn(buttonStyles({ variant, size }), className)} {...props} />;
}
