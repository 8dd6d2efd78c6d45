import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PostList } from '@/components/posts/post-list';
import { Loading } from '@/components/ui/skeleton';
import { Prefetch } from '@/lib/api/prefetch';
import { brandsQuery, postFiltersFrom, postsQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Posts' };

type Search = Record<string, string | string[] | undefined>;

export default async function PostsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const search = await searchParams;
  const filters = postFiltersFrom({ get: (name) => [search[name]].flat()[0] ?? null });
  return (
    <Prefetch
      load={(client, api) => [
        client.prefetchInfiniteQuery(postsQuery(api, filters)),
        client.prefetchQuery(brandsQuery(api)),
      ]}
    >
      <Suspense fallback={<Loading label="Loading posts" />}>
        <PostList />
      </Suspense>
    </Prefetch>
  );
}
