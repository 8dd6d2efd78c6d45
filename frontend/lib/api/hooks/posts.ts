'use client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../client';
import { useApi, useSignedIn } from '../provider';
import { postKey, postQuery, postsKey, postsQuery, upcomingPostsQuery, type PostFilters } from '../queries';
import type { Post, PostPatch } from '../types';

/** Every post matching the filters, newest first, a page at a time (the API's cursor). */
export function usePosts(filters: PostFilters, pageSize = 20) {
  const api = useApi();
  return useInfiniteQuery({ ...postsQuery(api, filters, pageSize), enabled: useSignedIn() });
}

export function usePost(id: string) {
  const api = useApi();
  return useQuery({ ...postQuery(api, id), enabled: useSignedIn() });
}

/** After any change to a post: its own entry is the API's answer, and every list reloads. */
function useSettle() {
  const queryClient = useQueryClient();
  return (post?: Post) => {
    if (post) queryClient.setQueryData(postKey(post.id), post);
    void queryClient.invalidateQueries({ queryKey: postsKey });
  };
}

export function useCreatePost() {
  const api = useApi();
  const settle = useSettle();
  return useMutation({
    mutationFn: (body: { platform: Post['platform']; content: string; brandId?: string | null }) =>
      unwrap(api.POST('/api/v1/posts', { body })),
    onSuccess: settle,
  });
}

export function useUpdatePost(id: string) {
  const api = useApi();
  const settle = useSettle();
  return useMutation({
    mutationFn: (body: PostPatch) => unwrap(api.PATCH('/api/v1/posts/{id}', { params: { path: { id } }, body })),
    onSuccess: settle,
  });
}

type Action = 'unschedule' | 'send-now' | 'duplicate';

/** The post actions that take no body; each answers with the post as it is afterwards. */
export function usePostAction() {
  const api = useApi();
  const settle = useSettle();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: Action }) => {
      const params = { params: { path: { id } } };
      if (action === 'unschedule') return unwrap(api.POST('/api/v1/posts/{id}/unschedule', params));
      if (action === 'send-now') return unwrap(api.POST('/api/v1/posts/{id}/send-now', params));
      return unwrap(api.POST('/api/v1/posts/{id}/duplicate', params));
    },
    onSuccess: settle,
  });
}

export function useSchedulePost() {
  const api = useApi();
  const settle = useSettle();
  return useMutation({
    mutationFn: ({ id, scheduledFor }: { id: string; scheduledFor: string }) =>
      unwrap(api.POST('/api/v1/posts/{id}/schedule', { params: { path: { id } }, body: { scheduledFor } })),
    onSuccess: settle,
  });
}

export function useDeletePost() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/posts/{id}', { params: { path: { id } } })),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: postKey(id) });
      void queryClient.invalidateQueries({ queryKey: postsKey });
    },
  });
}

/** The next `count` scheduled deliveries, soonest first. */
export function useUpcomingPosts(count = 5) {
  const api = useApi();
  return useQuery({ ...upcomingPostsQuery(api, count), enabled: useSignedIn(), refetchInterval: 30_000 });
}
