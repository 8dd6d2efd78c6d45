'use client';
import { useRouter } from 'next/navigation';
import { ErrorNotice } from '@/components/common/error-notice';
import { Time } from '@/components/common/time';
import { Button } from '@/components/ui/button';
import { useDeletePost, usePostAction, useSchedulePost } from '@/lib/api/hooks/posts';
import type { Post } from '@/lib/api/types';
import { ScheduleField } from './schedule-field';

/** Schedule in the user's zone, unschedule, send now, duplicate, delete. */
export function PostActions({ post, dirty }: { post: Post; dirty: boolean }) {
  const router = useRouter();
  const schedule = useSchedulePost();
  const action = usePostAction();
  const remove = useDeletePost();
  const locked = post.status === 'DELIVERING' || post.status === 'DELIVERED';
  const error = schedule.error ?? action.error ?? remove.error;
  return (
    <section aria-labelledby="delivery" className="flex flex-col gap-3 rounded-lg border border-border p-3">
      <h2 id="delivery" className="text-sm font-semibold">
        Delivery
      </h2>
      {post.status === 'SCHEDULED' && post.scheduledFor ? (
        <p className="text-sm">
          Due <Time iso={post.scheduledFor} relative />
        </p>
      ) : null}
      {post.status === 'DELIVERED' && post.deliveredAt ? (
        <p className="text-sm">
          Delivered <Time iso={post.deliveredAt} />
        </p>
      ) : null}
      {!locked ? (
        <ScheduleField
          key={post.scheduledFor ?? 'none'}
          initial={post.scheduledFor}
          busy={schedule.isPending || dirty}
          label={post.status === 'SCHEDULED' ? 'Reschedule' : 'Schedule'}
          onSchedule={(scheduledFor) => schedule.mutate({ id: post.id, scheduledFor })}
        />
      ) : null}
      {dirty ? <p className="text-xs text-muted">Save your changes before scheduling.</p> : null}
      <div className="flex flex-wrap gap-2">
        {post.status === 'SCHEDULED' ? (
          <Button disabled={action.isPending} onClick={() => action.mutate({ id: post.id, action: 'unschedule' })}>
            Unschedule
          </Button>
        ) : null}
        {!locked ? (
          <Button
            disabled={action.isPending || dirty}
            onClick={() => action.mutate({ id: post.id, action: 'send-now' })}
          >
            Send now
          </Button>
        ) : null}
        <Button
          disabled={action.isPending}
          onClick={() =>
            action.mutate(
              { id: post.id, action: 'duplicate' },
              { onSuccess: (copy) => router.push(`/posts/${copy.id}`) },
            )
          }
        >
          Duplicate
        </Button>
        <Button
          variant="danger"
          disabled={remove.isPending || post.status === 'DELIVERING'}
          onClick={() => {
            if (window.confirm('Delete this post? This cannot be undone.')) {
              remove.mutate(post.id, { onSuccess: () => router.replace('/posts') });
            }
          }}
        >
          Delete
        </Button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
