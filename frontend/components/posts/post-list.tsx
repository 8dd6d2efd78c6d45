'use client';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { ErrorNotice } from '@/components/common/error-notice';
import { PlatformBadge } from '@/components/common/platform-badge';
import { StatusBadge } from '@/components/common/status-badge';
import { Time } from '@/components/common/time';
import { PageHeader } from '@/components/shell/app-shell';
import { Button, ButtonLink } from '@/components/ui/button';
import { Empty } from '@/components/ui/empty';
import { Loading } from '@/components/ui/skeleton';
import { useBrands } from '@/lib/api/hooks/brands';
import { usePosts } from '@/lib/api/hooks/posts';
import { postFiltersFrom } from '@/lib/api/queries';
import { BulkActions } from './bulk-actions';
import { PostFilters, type Filters } from './post-filters';

export function PostList() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters: Filters = useMemo(() => postFiltersFrom(params), [params]);
  const setFilters = (next: Filters) => {
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v) as Array<[string, string]>);
    router.replace(q.size ? `${pathname}?${q}` : pathname, { scroll: false });
    setSelected(new Set());
  };
  const brands = useBrands();
  const posts = usePosts(filters);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const items = posts.data?.pages.flatMap((p) => p.items) ?? [];
  const brandName = new Map(brands.data?.items.map((b) => [b.id, b.name]));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const filtered = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader
        title="Posts"
        description="Every post, newest first."
        actions={
          <ButtonLink href="/create" variant="primary">
            Write posts
          </ButtonLink>
        }
      />
      <div className="flex flex-col gap-4">
        <PostFilters filters={filters} brands={brands.data?.items ?? []} onChange={setFilters} />
        {selected.size > 0 ? <BulkActions ids={[...selected]} onDone={() => setSelected(new Set())} /> : null}
        {posts.isPending ? (
          <Loading label="Loading posts" rows={5} />
        ) : posts.isError ? (
          <ErrorNotice error={posts.error} title="The posts could not be loaded" />
        ) : items.length === 0 ? (
          filtered ? (
            <Empty
              title="No post matches these filters"
              action={<Button onClick={() => setFilters({})}>Clear the filters</Button>}
            />
          ) : (
            <Empty
              title="No posts yet"
              action={
                <ButtonLink href="/create" variant="primary">
                  Paste a transcript
                </ButtonLink>
              }
            >
              Paste a transcript to write your first posts.
            </Empty>
          )
        ) : (
          <ul className="flex flex-col divide-y divide-border rounded-lg border border-border">
            {items.map((post) => (
              <li key={post.id} className="flex items-start gap-3 p-3">
                <input
                  type="checkbox"
                  className="mt-1 size-5 shrink-0 accent-[var(--accent)]"
                  checked={selected.has(post.id)}
                  onChange={() => toggle(post.id)}
                  aria-label={`Select: ${post.content.slice(0, 40)}`}
                />
                <div className="flex min-w-0 flex-1 flex-col gap-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <PlatformBadge platform={post.platform} />
                    <StatusBadge status={post.status} />
                    {post.brandId && brandName.get(post.brandId) ? (
                      <span className="text-xs text-muted">{brandName.get(post.brandId)}</span>
                    ) : null}
                  </div>
                  <Link href={`/posts/${post.id}`} className="line-clamp-2 text-sm hover:underline">
                    {post.content}
                  </Link>
                  <p className="text-xs text-muted">
                    {post.scheduledFor ? (
                      <>
                        {post.status === 'DELIVERED' ? 'Delivered ' : 'Due '}
                        <Time iso={post.deliveredAt ?? post.scheduledFor} />
                      </>
                    ) : (
                      <>
                        Created <Time iso={post.createdAt} />
                      </>
                    )}
                    {post.status === 'FAILED' && post.lastError ? (
                      <span className="text-danger"> · {post.lastError}</span>
                    ) : null}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
        {posts.hasNextPage ? (
          <Button
            onClick={() => void posts.fetchNextPage()}
            disabled={posts.isFetchingNextPage}
            className="self-center"
          >
            {posts.isFetchingNextPage ? 'Loading…' : 'Show more'}
          </Button>
        ) : null}
      </div>
    </>
  );
}
