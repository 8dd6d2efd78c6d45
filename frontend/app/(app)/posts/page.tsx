import type { Metadata } from 'next';
import { Suspense } from 'react';
import { PostList } from '@/components/posts/post-list';
import { Loading } from '@/components/ui/skeleton';

export const metadata: Metadata = { title: 'Posts' };

export default function PostsPage() {
  return (
    <Suspense fallback={<Loading label="Loading posts" />}>
      <PostList />
    </Suspense>
  );
}
