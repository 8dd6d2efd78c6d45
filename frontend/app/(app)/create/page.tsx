import type { Metadata } from 'next';
import { Studio } from '@/components/studio/studio';
import { Prefetch } from '@/lib/api/prefetch';
import { brandsQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Create' };

export default function CreatePage() {
  return (
    <Prefetch load={(client, api) => [client.prefetchQuery(brandsQuery(api))]}>
      <Studio />
    </Prefetch>
  );
}
