import type { Metadata } from 'next';
import { BrandsPage } from '@/components/brands/brands-page';
import { Prefetch } from '@/lib/api/prefetch';
import { brandsQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Brands' };

export default function Page() {
  return (
    <Prefetch load={(client, api) => [client.prefetchQuery(brandsQuery(api))]}>
      <BrandsPage />
    </Prefetch>
  );
}
