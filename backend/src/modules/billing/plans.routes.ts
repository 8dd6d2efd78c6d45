import { z } from 'zod';
import type { RouteTable } from '../../http/route.js';
import { PLAN_IDS, planDto, planSchema } from './plans.js';

export function planRoutes(table: RouteTable) {
  table.add(
    {
      method: 'get',
      path: '/plans',
      operationId: 'listPlans',
      summary: 'The plans, their monthly prices and limits.',
      tag: 'Plans',
      auth: false,
      response: z.object({ items: z.array(planSchema) }),
    },
    () => ({ items: PLAN_IDS.map(planDto) }),
  );
}
