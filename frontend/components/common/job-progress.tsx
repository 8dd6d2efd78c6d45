'use client';
import type { JobProgress } from '@/lib/api/hooks/jobs';
import type { Job } from '@/lib/api/types';

const STEP: Record<Job['type'], string> = {
  POSTS: 'Writing posts',
  CAMPAIGN: 'Planning the campaign',
  IMAGE: 'Drawing the image',
  VOICE: 'Recording the voice-over',
};

/** Honest progress: a bar fed by the job's events, the step in words, "still working" when polling. */
export function JobProgressBar({
  type,
  progress,
  label,
}: {
  type: Job['type'];
  progress: JobProgress;
  label?: string;
}) {
  const words =
    progress.status === 'QUEUED'
      ? 'Waiting for a worker'
      : progress.status === 'SUCCEEDED'
        ? 'Done'
        : progress.status === 'FAILED'
          ? 'Failed'
          : progress.status === 'CANCELLED'
            ? 'Cancelled'
            : (label ?? STEP[type]);
  return (
    <div className="flex flex-col gap-1.5">
      <div className="flex items-baseline justify-between text-sm">
        <span>{words}</span>
        <span className="tabular text-muted">{progress.progress}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={label ?? STEP[type]}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress.progress}
        aria-valuetext={`${progress.progress}%: ${words}`}
        className="h-2 overflow-hidden rounded-full bg-subtle"
      >
        <div
          className="h-full rounded-full bg-accent transition-[width] duration-300 motion-reduce:transition-none"
          style={{ width: `${progress.progress}%` }}
        />
      </div>
      {progress.polling ? (
        <p className="text-xs text-muted" aria-live="polite">
          Still working (the live connection dropped; checking every few seconds).
        </p>
      ) : null}
    </div>
  );
}
