'use client';
import { useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { JobProgressBar } from '@/components/common/job-progress';
import { QuotaNotice } from '@/components/common/quota-notice';
import { PageHeader } from '@/components/shell/app-shell';
import { Empty } from '@/components/ui/empty';
import { isApiError } from '@/lib/api/errors';
import { useGenerate } from '@/lib/api/hooks/generation';
import { useJobProgress } from '@/lib/api/hooks/jobs';
import { useMe } from '@/lib/api/hooks/me';
import type { GenerateInput } from '@/lib/api/types';
import { DraftCard } from './draft-card';
import { StudioForm } from './studio-form';

/** Input on the left, the drafts on the right: transcript → live progress → editable drafts. */
export function Studio() {
  const me = useMe();
  const generate = useGenerate();
  const [jobId, setJobId] = useState<string | null>(null);
  const [count, setCount] = useState(3);
  const progress = useJobProgress(jobId);
  const running = generate.isPending || (progress !== null && ['QUEUED', 'RUNNING'].includes(progress.status));
  const postIds = (progress?.job?.result as { postIds?: string[] } | null | undefined)?.postIds ?? [];
  const usage = me.data?.usage.posts;

  const submit = (input: GenerateInput) => {
    setJobId(null);
    setCount(input.numberOfPosts);
    generate.mutate({ body: input, key: crypto.randomUUID() }, { onSuccess: (job) => setJobId(job.id) });
  };
  const error = generate.error;
  return (
    <>
      <PageHeader title="Create" description="Paste what you said or wrote; get posts to edit and schedule." />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <section aria-labelledby="input" className="flex flex-col gap-4">
          <h2 id="input" className="sr-only">
            Input
          </h2>
          <StudioForm
            busy={running}
            postsLeft={usage ? Math.max(0, usage.limit - usage.used) : undefined}
            onSubmit={submit}
          />
          {error ? (
            isApiError(error) && error.code === 'QUOTA_EXCEEDED' ? (
              <QuotaNotice error={error} plan={me.data?.plan} />
            ) : (
              <ErrorNotice error={error} title="The posts could not be started" />
            )
          ) : null}
          {progress && jobId ? (
            <div className="rounded-lg border border-border p-3">
              <JobProgressBar
                type="POSTS"
                progress={progress}
                label={`Writing ${count} ${count === 1 ? 'post' : 'posts'}`}
              />
              {progress.status === 'FAILED' ? (
                <p className="mt-2 text-sm text-danger">
                  {progress.job?.error?.message ?? 'The job failed.'} Nothing was charged: your quota was refunded.
                </p>
              ) : null}
            </div>
          ) : null}
        </section>
        <section aria-labelledby="drafts" className="flex flex-col gap-3">
          <h2 id="drafts" className="text-sm font-semibold">
            Drafts
          </h2>
          {postIds.length > 0 ? (
            postIds.map((id, i) => <DraftCard key={id} id={id} index={i} />)
          ) : (
            <Empty title="Your new drafts appear here">
              Paste a transcript to write your first posts. Each draft can be edited here or in the editor.
            </Empty>
          )}
        </section>
      </div>
    </>
  );
}
