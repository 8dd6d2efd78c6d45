// Events: what each change sends (StripeState.emit creates them and hands them to the webhook
// sender); the newest 10,000 are kept in memory, the newest 1,000 in the state file.
import type { StripeList } from '../objects.js';
import { list, type ListParams } from './expand.js';
import type { StripeState } from './state.js';

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: unknown; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export function listEvents(state: StripeState, params: ListParams & { types?: string[] }): StripeList<StripeEvent> {
  const all = [...state.events.values()].filter((e) => params.types === undefined || params.types.includes(e.type));
  return list(all, params, '/v1/events');
}
