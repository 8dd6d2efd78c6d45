'use client';
import { AlertCircle, Copy } from 'lucide-react';
import { useState } from 'react';
import { isApiError } from '@/lib/api/errors';
import { cn } from '@/lib/cn';

/** What went wrong, in the API's words, what to do, and the request id to quote. */
export function ErrorNotice({
  error,
  title = 'That did not work',
  action,
  className,
}: {
  error: unknown;
  title?: string;
  action?: React.ReactNode;
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  const message = error instanceof Error ? error.message : 'An unexpected error happened.';
  const requestId = isApiError(error) ? error.requestId : null;
  return (
    <div
      role="alert"
      className={cn(
        'flex gap-3 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100',
        className,
      )}
    >
      <AlertCircle aria-hidden className="mt-0.5 size-4 shrink-0" />
      <div className="flex min-w-0 flex-col gap-1">
        <p className="font-medium">{title}</p>
        <p>{message}</p>
        {requestId ? (
          <p className="flex flex-wrap items-center gap-2 text-xs">
            <span>
              Request id <code className="font-mono">{requestId}</code>
            </span>
            <button
              type="button"
              className="inline-flex min-h-8 items-center gap-1 rounded px-1.5 underline-offset-2 hover:underline"
              onClick={() => void navigator.clipboard?.writeText(requestId).then(() => setCopied(true))}
            >
              <Copy aria-hidden className="size-3" />
              {copied ? 'Copied' : 'Copy request id'}
            </button>
          </p>
        ) : null}
        {action}
      </div>
    </div>
  );
}
