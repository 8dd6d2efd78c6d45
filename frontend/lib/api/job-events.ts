// Reads a job's progress from `GET /jobs/:id/events` (Server-Sent Events) with fetch streaming:
// EventSource cannot send an Authorization header, and a token in the URL would land in access
// logs. The caller falls back to polling when the stream ends before a final status.
import { createParser } from 'eventsource-parser';

export interface JobEvent {
  status: string;
  progress: number;
}

export const FINAL_JOB_STATUSES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Calls `onEvent` for each event until the job reaches a final status (resolves true) or the
 * stream ends or fails first (resolves false: poll instead). `signal` stops it.
 */
export async function streamJobEvents(
  url: string,
  token: string | null,
  onEvent: (event: JobEvent) => void,
  signal: AbortSignal,
): Promise<boolean> {
  let final = false;
  try {
    const response = await fetch(url, {
      headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal,
      cache: 'no-store',
    });
    if (!response.ok || !response.body) return false;
    const parser = createParser({
      onEvent: ({ data }) => {
        try {
          const event = JSON.parse(data) as JobEvent;
          onEvent(event);
          if (FINAL_JOB_STATUSES.has(event.status)) final = true;
        } catch {
          // A frame that is not JSON is not ours to show.
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    while (!final) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    if (final) await reader.cancel().catch(() => undefined);
    return final;
  } catch {
    return final;
  }
}
