// The typed client of /api/v1: paths and bodies come from the backend's own OpenAPI document
// (schema.d.ts, generated), the session token is added to every request as it is sent (Clerk's
// tokens live about a minute, so each request asks for a fresh one), and errors become ApiError.
import createClient, { type Client } from 'openapi-fetch';
import { ApiError, NetworkError, type ErrorBody } from './errors';
import type { components, paths } from './schema';

export type Api = Client<paths>;
export type Schemas = components['schemas'];

export interface ClientOptions {
  baseUrl: string;
  getToken: () => Promise<string | null>;
  /** Called on a 401 from a signed-in request: the session has ended. */
  onUnauthorized: () => void;
  /** Gives up on a request after this long (the server's first render; the browser waits). */
  timeoutMs?: number;
}

export function createApi({ baseUrl, getToken, onUnauthorized, timeoutMs }: ClientOptions): Api {
  const api = createClient<paths>({
    baseUrl,
    // A lost connection is its own error, not a blank 500.
    fetch: async (request) => {
      try {
        return await fetch(request, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : undefined);
      } catch (err) {
        throw new NetworkError(err);
      }
    },
  });
  api.use({
    async onRequest({ request }) {
      const token = await getToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('Authorization')) onUnauthorized();
      return response;
    },
  });
  return api;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a call, or its ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw new ApiError(response.status, error as Partial<ErrorBody> | undefined, response.headers.get('X-Request-Id'));
  }
  return data as T;
}
