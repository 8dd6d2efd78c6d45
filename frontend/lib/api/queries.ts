// What each page reads, as TanStack Query options: one definition used by the hooks in the
// browser and by the server's first render (`prefetch.tsx`), so both agree on the keys and the
// data lands in the same cache entry. Not a client module: server components import it too.
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { unwrap, type Api } from './client';
import type { PostListQuery } from './types';

export const meKey = ['me'] as const;
export const postsKey = ['posts'] as const;
export const postKey = (id: string) => ['post', id] as const;
export const brandsKey = ['brands'] as const;
export const telegramKey = ['telegram'] as const;

export type PostFilters = Omit<PostListQuery, 'cursor' | 'limit'>;

export const meQuery = (api: Api) => queryOptions({ queryKey: meKey, queryFn: () => unwrap(api.GET('/api/v1/me')) });

/** Every post matching the filters, newest first, a page at a time (the API's cursor). */
export const postsQuery = (api: Api, filters: PostFilters, pageSize = 20) =>
  infiniteQueryOptions({
    queryKey: [...postsKey, filters, pageSize],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/posts', {
          params: { query: { ...filters, limit: pageSize, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const postQuery = (api: Api, id: string) =>
  queryOptions({
    queryKey: postKey(id),
    queryFn: () => unwrap(api.GET('/api/v1/posts/{id}', { params: { path: { id } } })),
  });

/** The next `count` scheduled deliveries, soonest first. */
export const upcomingPostsQuery = (api: Api, count = 5) =>
  queryOptions({
    queryKey: [...postsKey, 'upcoming', count],
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/api/v1/posts', {
          params: { query: { status: 'SCHEDULED', from: new Date(Date.now() - 60_000).toISOString(), limit: 100 } },
        }),
      );
      return page.items
        .filter((p) => p.scheduledFor)
        .sort((a, b) => Date.parse(a.scheduledFor!) - Date.parse(b.scheduledFor!))
        .slice(0, count);
    },
  });

/** Jobs not yet final (queued or running). */
export const activeJobsQuery = (api: Api) =>
  queryOptions({
    queryKey: ['jobs', 'active'],
    queryFn: async () => {
      const [running, queued] = await Promise.all([
        unwrap(api.GET('/api/v1/jobs', { params: { query: { status: 'RUNNING', limit: 20 } } })),
        unwrap(api.GET('/api/v1/jobs', { params: { query: { status: 'QUEUED', limit: 20 } } })),
      ]);
      return [...running.items, ...queued.items];
    },
  });

export const brandsQuery = (api: Api) =>
  queryOptions({
    queryKey: brandsKey,
    queryFn: () => unwrap(api.GET('/api/v1/brands', { params: { query: { limit: 100 } } })),
  });

export const telegramQuery = (api: Api) =>
  queryOptions({ queryKey: telegramKey, queryFn: () => unwrap(api.GET('/api/v1/telegram')) });

export const subscriptionQuery = (api: Api) =>
  queryOptions({ queryKey: ['subscription'], queryFn: () => unwrap(api.GET('/api/v1/subscriptions')) });

export const plansQuery = (api: Api) =>
  queryOptions({ queryKey: ['plans'], queryFn: () => unwrap(api.GET('/api/v1/plans')), staleTime: 10 * 60_000 });

/** The dashboard's "needs attention": the latest failed deliveries. */
export const FAILED_FILTER: PostFilters = { status: 'FAILED' };

/** The agenda's window: from a day ago (to the minute) for 31 days. */
export function agendaWindow(now = Date.now()): PostFilters {
  const from = Math.floor(now / 60_000) * 60_000 - 86_400_000;
  return { from: new Date(from).toISOString(), to: new Date(from + 31 * 86_400_000).toISOString() };
}

/** The post list's filters, read off the page's address (kept in the URL). */
export function postFiltersFrom(params: { get(name: string): string | null }): PostFilters {
  const status = params.get('status');
  const platform = params.get('platform');
  const brandId = params.get('brandId');
  return {
    ...(status ? { status: status as PostFilters['status'] } : {}),
    ...(platform ? { platform: platform as PostFilters['platform'] } : {}),
    ...(brandId ? { brandId } : {}),
  };
}
