import type { Metadata } from 'next';
import { PostEditor } from '@/components/posts/post-editor';

export const metadata: Metadata = { title: 'Edit post' };

export default async function PostPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <PostEditor id={id} />;
}
