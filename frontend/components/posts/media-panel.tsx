'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { JobProgressBar } from '@/components/common/job-progress';
import { QuotaNotice } from '@/components/common/quota-notice';
import { Button } from '@/components/ui/button';
import { Field, Input, Select } from '@/components/ui/field';
import { isApiError } from '@/lib/api/errors';
import { useGenerateImage, useGenerateVoice, useVoices } from '@/lib/api/hooks/generation';
import { useJobProgress } from '@/lib/api/hooks/jobs';
import { useMe } from '@/lib/api/hooks/me';
import type { ImageInput, Job, Post } from '@/lib/api/types';
import { field } from '@/lib/form';

const RATIOS: Array<ImageInput['aspectRatio']> = ['1:1', '16:9', '9:16', '4:3', '3:4'];

function JobState({ jobId, type, onDone }: { jobId: string | null; type: Job['type']; onDone: () => void }) {
  const progress = useJobProgress(jobId);
  const final = progress?.job !== undefined;
  useEffect(() => {
    if (final) onDone();
  }, [final, onDone]);
  if (!progress || !jobId) return null;
  return (
    <div className="flex flex-col gap-1">
      <JobProgressBar type={type} progress={progress} />
      {progress.status === 'FAILED' ? (
        <p className="text-sm text-danger">
          {progress.job?.error?.message ?? 'The job failed.'} Your quota was refunded.
        </p>
      ) : null}
    </div>
  );
}

function Failure({ error }: { error: unknown }) {
  const me = useMe();
  if (!error) return null;
  return isApiError(error) && error.code === 'QUOTA_EXCEEDED' ? (
    <QuotaNotice error={error} plan={me.data?.plan} />
  ) : (
    <ErrorNotice error={error} title="Could not start" />
  );
}

/** Generate an image (prompt, aspect ratio, model) or a voice-over (a voice, with its sample). */
export function MediaPanel({ post, editable }: { post: Post; editable: boolean }) {
  const queryClient = useQueryClient();
  const image = useGenerateImage();
  const voice = useGenerateVoice();
  const [imageJob, setImageJob] = useState<string | null>(null);
  const [voiceJob, setVoiceJob] = useState<string | null>(null);
  const [voiceOpen, setVoiceOpen] = useState(false);
  const voices = useVoices(voiceOpen);
  const [voiceId, setVoiceId] = useState('');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['post', post.id] });
  const sample = voices.data?.items.find((v) => v.id === voiceId);

  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <form
        className="flex flex-col gap-3 rounded-lg border border-border p-3"
        action={(form) =>
          image.mutate(
            {
              key: crypto.randomUUID(),
              body: {
                prompt: field(form, 'prompt').trim(),
                aspectRatio: field(form, 'aspectRatio') as ImageInput['aspectRatio'],
                model: field(form, 'model') as NonNullable<ImageInput['model']>,
                postId: post.id,
              },
            },
            { onSuccess: (job) => setImageJob(job.id) },
          )
        }
      >
        <h3 className="text-sm font-semibold">Image</h3>
        <Field label="Image prompt">
          {(p) => (
            <Input
              {...p}
              name="prompt"
              required
              minLength={3}
              maxLength={1000}
              defaultValue={post.content.slice(0, 200)}
            />
          )}
        </Field>
        <div className="grid grid-cols-2 gap-2">
          <Field label="Aspect ratio">
            {(p) => (
              <Select {...p} name="aspectRatio" defaultValue="1:1">
                {RATIOS.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Model">
            {(p) => (
              <Select {...p} name="model" defaultValue="SCHNELL">
                <option value="SCHNELL">Fast (Schnell)</option>
                <option value="DEV">Detailed (Dev)</option>
              </Select>
            )}
          </Field>
        </div>
        <Button type="submit" disabled={!editable || image.isPending}>
          Generate image
        </Button>
        <Failure error={image.error} />
        <JobState jobId={imageJob} type="IMAGE" onDone={refresh} />
      </form>
      <form
        className="flex flex-col gap-3 rounded-lg border border-border p-3"
        onFocus={() => setVoiceOpen(true)}
        onPointerEnter={() => setVoiceOpen(true)}
        action={() =>
          voice.mutate(
            { key: crypto.randomUUID(), body: { postId: post.id, ...(voiceId ? { voiceId } : {}) } },
            { onSuccess: (job) => setVoiceJob(job.id) },
          )
        }
      >
        <h3 className="text-sm font-semibold">Voice-over</h3>
        <Field label="Voice" hint="The brand's voice when none is picked.">
          {(p) => (
            <Select {...p} value={voiceId} onChange={(e) => setVoiceId(e.target.value)}>
              <option value="">Default voice</option>
              {voices.data?.items.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                  {Object.values(v.labels).length ? ` (${Object.values(v.labels).slice(0, 2).join(', ')})` : ''}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {sample?.previewUrl ? (
          <audio controls src={sample.previewUrl} className="h-9 w-full" aria-label="A sample of this voice">
            <track kind="captions" />
          </audio>
        ) : null}
        {voices.isError ? <ErrorNotice error={voices.error} title="The voices could not be loaded" /> : null}
        <Button type="submit" disabled={!editable || voice.isPending}>
          Generate voice-over
        </Button>
        <Failure error={voice.error} />
        <JobState jobId={voiceJob} type="VOICE" onDone={refresh} />
      </form>
    </div>
  );
}
