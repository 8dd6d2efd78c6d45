import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { currentUser } from '../auth/require-user.js';
import { planDto, planSchema } from '../billing/plans.js';
import { readUsage, usageSchema } from './usage.service.js';

export function usageRoutes(table: RouteTable, db: Db) {
  table.add(
    {
      method: 'get',
      path: '/usage',
      operationId: 'getUsage',
      summary: "This month's usage against the plan's limits; `period.end` is when it resets.",
      tag: 'Usage',
      response: usageSchema.extend({ plan: planSchema }),
    },
    async ({ res }) => {
      const user = currentUser(res);
      return { ...(await readUsage(db, user.id, user.plan)), plan: planDto(user.plan) };
    },
  );
}
