import { cn } from '@/lib/cn';

/** A quiet placeholder while data loads; screen readers hear the label once. */
export function Loading({
  label = 'Loading',
  className,
  rows = 3,
}: {
  label?: string;
  className?: string;
  rows?: number;
}) {
  return (
    <div role="status" aria-live="polite" className={cn('flex flex-col gap-2', className)}>
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-10 animate-pulse rounded-md bg-subtle motion-reduce:animate-none" />
      ))}
    </div>
  );
}
