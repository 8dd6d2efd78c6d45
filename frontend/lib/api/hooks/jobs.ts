'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useAuth } from '@/lib/auth/context';
import { useRuntimeConfig } from '@/lib/runtime-config-context';
import { unwrap } from '../client';
import { FINAL_JOB_STATUSES, streamJobEvents, type JobEvent } from '../job-events';
import { useApi, useSignedIn } from '../provider';
import { activeJobsQuery } from '../queries';
import type { Job } from '../types';

const POLL_MS = 1_500;
export const jobKey = (id: string) => ['job', id] as const;

export interface JobProgress extends JobEvent {
  /** The job row, read again once it is final (its result or error). */
  job: Job | undefined;
  /** The stream dropped and we are polling: say "still working". */
  polling: boolean;
}

/** A job's live progress: the event stream first, polling when the stream drops. */
export function useJobProgress(id: string | null): JobProgress | null {
  const api = useApi();
  const { getToken } = useAuth();
  const { apiUrl } = useRuntimeConfig();
  const queryClient = useQueryClient();
  const [state, setState] = useState<JobProgress | null>(null);

  useEffect(() => {
    if (!id) {
      setState(null);
      return;
    }
    const controller = new AbortController();
    const { signal } = controller;
    setState({ status: 'QUEUED', progress: 0, job: undefined, polling: false });
    const finish = async () => {
      const job = await unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
      queryClient.setQueryData(jobKey(id), job);
      if (!signal.aborted) setState({ status: job.status, progress: job.progress, job, polling: false });
    };
    void (async () => {
      const onEvent = (event: JobEvent) => {
        if (!signal.aborted) setState((s) => ({ ...event, job: s?.job, polling: false }));
      };
      const done = await streamJobEvents(`${apiUrl}/api/v1/jobs/${id}/events`, await getToken(), onEvent, signal);
      // Poll until final when the stream ended early; a failed read tries again next round.
      if (!done && !signal.aborted) setState((s) => (s ? { ...s, polling: true } : s));
      while (!done && !signal.aborted) {
        const job = await unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })).catch(() => null);
        if (job && FINAL_JOB_STATUSES.has(job.status)) break;
        if (job && !signal.aborted) setState({ status: job.status, progress: job.progress, job, polling: true });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (!signal.aborted) await finish().catch(() => undefined);
    })();
    return () => controller.abort();
  }, [id, api, apiUrl, getToken, queryClient]);

  return state;
}

/** Jobs not yet final (queued or running), refreshed while any are. */
export function useActiveJobs() {
  const api = useApi();
  const signedIn = useSignedIn();
  return useQuery({
    ...activeJobsQuery(api),
    enabled: signedIn,
    refetchInterval: (query) => ((query.state.data?.length ?? 0) > 0 ? 2_000 : 15_000),
  });
}
