import type { Metadata } from 'next';
import { Agenda } from '@/components/calendar/agenda';
import { Prefetch } from '@/lib/api/prefetch';
import { agendaWindow, postsQuery } from '@/lib/api/queries';

export const metadata: Metadata = { title: 'Calendar' };

export default function Page() {
  // The window is fixed here and handed down, so the browser asks with the same key the server
  // read (a clock read on each side could land on either side of a minute).
  const range = agendaWindow();
  return (
    <Prefetch load={(client, api) => [client.prefetchInfiniteQuery(postsQuery(api, range, 100))]}>
      <Agenda range={range} />
    </Prefetch>
  );
}
