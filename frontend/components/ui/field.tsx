import { useId, type ComponentProps, type ReactNode } from 'react';
import { cn } from '@/lib/cn';

/** What every control shares; each sets its own padding (a select keeps room for its arrow). */
export const controlStyles =
  'w-full rounded-md border border-border bg-bg py-2 text-sm text-fg placeholder:text-muted disabled:opacity-60 aria-invalid:border-danger';

/** A label above its control, with an optional hint; the control gets the id and description. */
export function Field({
  label,
  hint,
  error,
  children,
  className,
  aside,
}: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  aside?: ReactNode;
  className?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cn('flex flex-col gap-1.5', className)}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {aside}
      </div>
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true } : {}) })}
      {hint ? (
        <p id={hintId} className="text-xs text-muted">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-xs text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export const Input = ({ className, ...props }: ComponentProps<'input'>) => (
  <input className={cn(controlStyles, 'min-h-10 px-3 sm:min-h-9', className)} {...props} />
);

/** A text area, tall (a transcript) or `compact` (a line or two). */
export const Textarea = ({ className, compact, ...props }: ComponentProps<'textarea'> & { compact?: boolean }) => (
  <textarea
    className={cn(controlStyles, compact ? 'min-h-16' : 'min-h-40', 'px-3 leading-relaxed', className)}
    {...props}
  />
);

export const Select = ({ className, ...props }: ComponentProps<'select'>) => (
  <select className={cn(controlStyles, 'min-h-10 pr-8 pl-3 sm:min-h-9', className)} {...props} />
);
