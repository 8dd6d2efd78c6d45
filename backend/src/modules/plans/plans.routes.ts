import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import { PLAN_IDS, planDto, planSchema } from './plans.service.js';

export function planRoutes(table: RouteTable) {
  table.add(
    {
      method: 'get',
      path: '/plans',
      operationId: 'listPlans',
      summary: 'List plans',
      description: 'The plans, their monthly prices (US cents) and monthly limits. Public: no token needed.',
      tag: 'Plans',
      auth: false,
      response: z.object({ items: z.array(planSchema) }),
      examples: { response: { items: PLAN_IDS.map(planDto) } },
    },
    () => ({ items: PLAN_IDS.map(planDto) }),
  );
}
