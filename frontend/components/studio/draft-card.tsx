'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { PlatformBadge } from '@/components/common/platform-badge';
import { StatusBadge } from '@/components/common/status-badge';
import { ContentEditor, fits } from '@/components/posts/content-editor';
import { Button } from '@/components/ui/button';
import { Loading } from '@/components/ui/skeleton';
import { usePost, useUpdatePost } from '@/lib/api/hooks/posts';

/** A new draft, editable in place, and a link to its full editor. */
export function DraftCard({ id, index }: { id: string; index: number }) {
  const post = usePost(id);
  const update = useUpdatePost(id);
  const [content, setContent] = useState<string | null>(null);
  useEffect(() => {
    if (post.data && content === null) setContent(post.data.content);
  }, [post.data, content]);
  if (post.isPending) return <Loading label={`Loading draft ${index + 1}`} rows={2} />;
  if (post.isError) return <ErrorNotice error={post.error} title={`Draft ${index + 1} could not be loaded`} />;
  const value = content ?? post.data.content;
  const changed = value !== post.data.content;
  return (
    <article className="flex flex-col gap-3 rounded-lg border border-border p-3">
      <div className="flex items-center justify-between gap-2">
        <PlatformBadge platform={post.data.platform} />
        <StatusBadge status={post.data.status} />
      </div>
      <ContentEditor
        label={`Draft ${index + 1}`}
        platform={post.data.platform}
        value={value}
        onChange={setContent}
        rows={6}
      />
      {update.isError ? <ErrorNotice error={update.error} title="Not saved" /> : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button
          size="sm"
          variant="primary"
          disabled={!changed || !fits(post.data.platform, value) || update.isPending}
          onClick={() => update.mutate({ content: value })}
        >
          {update.isPending ? 'Saving…' : changed ? 'Save' : 'Saved'}
        </Button>
        <Link href={`/posts/${id}`} className="text-sm font-medium underline underline-offset-2">
          Open draft {index + 1} in the editor
        </Link>
      </div>
    </article>
  );
}
