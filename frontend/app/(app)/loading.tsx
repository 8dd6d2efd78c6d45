import { Loading } from '@/components/ui/skeleton';

/**
 * A page of the app on its way: shown at once on a move between pages while the server reads the
 * page's data (the shell stays). It is also where link prefetching stops: a prefetched link fetches
 * the shell down to here, not the page, so hovering the sidebar asks the API for nothing.
 */
export default function PageLoading() {
  return <Loading label="Loading the page" rows={4} />;
}
