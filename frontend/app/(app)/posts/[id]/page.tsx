import type { Metadata } from 'next';
import { PostEditor } from '@/components/posts/post-editor';
import { Prefetch } from '@/lib/api/prefetch';
import { brandsQuery, postQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Edit post' };

export default async function PostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Prefetch
      load={(client, api) => [client.prefetchQuery(postQuery(api, id)), client.prefetchQuery(brandsQuery(api))]}
    >
      <PostEditor id={id} />
    </Prefetch>
  );
}
