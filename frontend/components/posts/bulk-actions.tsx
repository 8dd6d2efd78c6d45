'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { Button } from '@/components/ui/button';
import { unwrap } from '@/lib/api/client';
import { postsKey } from '@/lib/api/queries';
import { useApi } from '@/lib/api/provider';
import { ScheduleField } from './schedule-field';

type Bulk = 'schedule' | 'unschedule' | 'duplicate' | 'delete';
const DONE: Record<Bulk, string> = {
  schedule: 'scheduled',
  unschedule: 'moved back to Draft',
  duplicate: 'duplicated',
  delete: 'deleted',
};

/** Actions on the selected posts, one request each; what failed is said, post by post. */
export function BulkActions({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [scheduling, setScheduling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ text: string; errors: unknown[] } | null>(null);

  const run = async (action: Bulk, scheduledFor?: string) => {
    setBusy(true);
    setOutcome(null);
    const errors: unknown[] = [];
    for (const id of ids) {
      const params = { params: { path: { id } } };
      try {
        if (action === 'schedule')
          await unwrap(api.POST('/api/v1/posts/{id}/schedule', { ...params, body: { scheduledFor: scheduledFor! } }));
        else if (action === 'unschedule') await unwrap(api.POST('/api/v1/posts/{id}/unschedule', params));
        else if (action === 'duplicate') await unwrap(api.POST('/api/v1/posts/{id}/duplicate', params));
        else await unwrap(api.DELETE('/api/v1/posts/{id}', params));
      } catch (err) {
        errors.push(err);
      }
    }
    await queryClient.invalidateQueries({ queryKey: postsKey });
    const ok = ids.length - errors.length;
    setOutcome({ text: `${ok} of ${ids.length} ${DONE[action]}.`, errors });
    setBusy(false);
    setScheduling(false);
    if (errors.length === 0) onDone();
  };

  return (
    <div
      className="flex flex-col gap-3 rounded-lg border border-border bg-surface p-3"
      aria-label="Selected posts"
      role="region"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="tabular text-sm font-medium">{ids.length} selected</span>
        <Button size="sm" disabled={busy} onClick={() => setScheduling((s) => !s)} aria-expanded={scheduling}>
          Schedule selected
        </Button>
        <Button size="sm" disabled={busy} onClick={() => void run('unschedule')}>
          Unschedule selected
        </Button>
        <Button size="sm" disabled={busy} onClick={() => void run('duplicate')}>
          Duplicate selected
        </Button>
        <Button
          size="sm"
          variant="danger"
          disabled={busy}
          onClick={() => {
            if (window.confirm(`Delete ${ids.length} ${ids.length === 1 ? 'post' : 'posts'}? This cannot be undone.`))
              void run('delete');
          }}
        >
          Delete selected
        </Button>
      </div>
      {scheduling ? (
        <ScheduleField busy={busy} label="Schedule selected posts" onSchedule={(iso) => void run('schedule', iso)} />
      ) : null}
      {outcome ? (
        <div aria-live="polite" className="flex flex-col gap-2 text-sm">
          <p>{outcome.text}</p>
          {outcome.errors.slice(0, 3).map((err, i) => (
            <ErrorNotice key={i} error={err} title="One post was not changed" />
          ))}
        </div>
      ) : null}
    </div>
  );
}
