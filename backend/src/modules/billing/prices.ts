// Stripe price ids ↔ plans, from configuration (the emulator's defaults in local mode).
import type { Config } from '../../config/index.js';
import type { Plan } from '../../generated/prisma/enums.js';
import { priceIds } from '../../integrations/stripe.js';

export function planOfPrice(config: Config) {
  const prices = priceIds(config.stripe);
  return (priceId: string | undefined): Plan | undefined =>
    priceId === undefined
      ? undefined
      : priceId === prices.PRO
        ? 'PRO'
        : priceId === prices.BUSINESS
          ? 'BUSINESS'
          : undefined;
}
