import { useSyncExternalStore } from 'react';

const subscribe = () => () => undefined;

/**
 * False on the server and while the browser hydrates the server's HTML, true from the render
 * after: what only the browser knows (its zone, its clock to the second) waits for it, so the
 * hydrating render matches the server's exactly. On a page reached in the browser, true at once.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
