'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { PlatformBadge } from '@/components/common/platform-badge';
import { StatusBadge } from '@/components/common/status-badge';
import { Button } from '@/components/ui/button';
import { Empty } from '@/components/ui/empty';
import { Loading } from '@/components/ui/skeleton';
import { isApiError } from '@/lib/api/errors';
import { useBrands } from '@/lib/api/hooks/brands';
import { usePost, useUpdatePost } from '@/lib/api/hooks/posts';
import type { Post } from '@/lib/api/types';
import { ContentEditor, fits } from './content-editor';
import { MediaPanel } from './media-panel';
import { PostActions } from './post-actions';
import { TelegramPreview } from './telegram-preview';
import { useAutosave } from './use-autosave';

function Editor({ post }: { post: Post }) {
  const update = useUpdatePost(post.id);
  const brands = useBrands();
  const [content, setContent] = useState(post.content);
  // A post changed elsewhere (a save, a job attaching media) resets the text only when not editing.
  const [base, setBase] = useState(post.content);
  useEffect(() => {
    if (post.content !== base) {
      if (content === base) setContent(post.content);
      setBase(post.content);
    }
  }, [post.content, base, content]);
  const editable = post.status !== 'DELIVERING' && post.status !== 'DELIVERED';
  const dirty = content !== post.content;
  const valid = fits(post.platform, content);
  const save = () => {
    if (!update.isPending) update.mutate({ content });
  };
  useAutosave({ dirty, canSave: editable && valid && !update.isError, save, value: content });
  const brand = brands.data?.items.find((b) => b.id === post.brandId)?.name;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-center gap-2">
          <PlatformBadge platform={post.platform} />
          {brand ? <span className="text-sm text-muted">· {brand}</span> : null}
          <StatusBadge status={post.status} className="ml-auto" />
        </div>
        {post.status === 'FAILED' ? (
          <p role="status" className="rounded-md border border-red-200 p-2 text-sm text-danger dark:border-red-900">
            Delivery failed: {post.lastError ?? 'no reason was recorded.'}
          </p>
        ) : post.lastError ? (
          <p className="text-xs text-muted">Last error: {post.lastError}</p>
        ) : null}
        {!editable ? (
          <p className="text-sm text-muted">
            {post.status === 'DELIVERED' ? 'Delivered posts' : 'Posts being delivered'} cannot be edited; duplicate it
            to write a new draft.
          </p>
        ) : null}
        <ContentEditor platform={post.platform} value={content} onChange={setContent} disabled={!editable} />
        <div className="flex flex-wrap items-center gap-3">
          <Button variant="primary" disabled={!editable || !dirty || !valid || update.isPending} onClick={save}>
            Save
          </Button>
          <span className="text-xs text-muted" aria-live="polite">
            {update.isPending
              ? 'Saving…'
              : dirty
                ? valid
                  ? 'Unsaved changes'
                  : 'Too long to save'
                : 'All changes saved'}
          </span>
        </div>
        {update.isError ? <ErrorNotice error={update.error} title="Not saved" /> : null}
        <MediaPanel post={post} editable={editable} />
        <PostActions post={post} dirty={dirty} />
      </div>
      <div className="lg:sticky lg:top-20 lg:self-start">
        <TelegramPreview post={post} content={content} brand={brand} />
      </div>
    </div>
  );
}

export function PostEditor({ id }: { id: string }) {
  const post = usePost(id);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-3 text-sm text-muted">
        <Link href="/posts" className="hover:underline">
          Posts
        </Link>{' '}
        / Edit
      </nav>
      <h1 className="sr-only">Edit post</h1>
      {post.isPending ? (
        <Loading label="Loading the post" rows={6} />
      ) : post.isError ? (
        isApiError(post.error) && post.error.status === 404 ? (
          <Empty
            title="This post does not exist"
            action={
              <Link href="/posts" className="underline">
                All posts
              </Link>
            }
          >
            It may have been deleted.
            {post.error.requestId ? (
              <span className="mt-1 block font-mono text-xs">Request id {post.error.requestId}</span>
            ) : null}
          </Empty>
        ) : (
          <ErrorNotice
            error={post.error}
            title="The post could not be loaded"
            action={<Button onClick={() => void post.refetch()}>Try again</Button>}
          />
        )
      ) : (
        <Editor post={post.data} />
      )}
    </>
  );
}
