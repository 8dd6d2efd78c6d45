import type { RouteTable } from '../../http/route.js';
import type { Db } from '../../lib/db.js';
import { currentUser } from '../../http/current-user.js';
import { planDto, planSchema } from '../plans/plans.service.js';
import { readUsage, usageSchema } from './usage.service.js';

export function usageRoutes(table: RouteTable, db: Db) {
  table.add(
    {
      method: 'get',
      path: '/usage',
      operationId: 'getUsage',
      summary: 'Get your usage',
      description:
        "This month's usage against your plan's limits, and the plan. The period is the calendar month in UTC; `period.end` is when it resets.",
      tag: 'Usage',
      response: usageSchema.extend({ plan: planSchema }),
      examples: {
        response: {
          period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
          posts: { used: 12, limit: 20 },
          images: { used: 2, limit: 5 },
          voiceChars: { used: 640, limit: 2000 },
          plan: planDto('FREE'),
        },
      },
    },
    async ({ res }) => {
      const user = currentUser(res);
      return { ...(await readUsage(db, user.id, user.plan)), plan: planDto(user.plan) };
    },
  );
}
