import type { Metadata } from 'next';
import { Studio } from '@/components/studio/studio';

export const metadata: Metadata = { title: 'Create' };

export default function CreatePage() {
  return <Studio />;
}
