// The Stripe SDK, pointed at STRIPE_API_BASE when set (a proxy, or the local emulator). The SDK
// retries network errors and 409/429/5xx itself with idempotency keys, so it is not wrapped in a
// second retry policy; every call has a timeout.
import Stripe from 'stripe';
import type { Config } from '../config/index.js';
import { ProviderError } from './provider-error.js';

/** The emulator's default prices, used when no STRIPE_PRICE_* is configured (local mode only). */
export const LOCAL_PRICES = { PRO: 'price_pro_local', BUSINESS: 'price_business_local' } as const;

export function createStripe(config: Config['stripe']): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : undefined;
  return new Stripe(config.secretKey ?? 'sk_test_local_emulator', {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Postaify' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

export function priceIds(config: Config['stripe']) {
  return {
    PRO: config.prices.PRO ?? (config.mode === 'local' ? LOCAL_PRICES.PRO : undefined),
    BUSINESS: config.prices.BUSINESS ?? (config.mode === 'local' ? LOCAL_PRICES.BUSINESS : undefined),
  };
}

/** Runs a Stripe call, turning the SDK's errors into ProviderErrors (which know their API error). */
export async function viaStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof Stripe.errors.StripeConnectionError)
      throw new ProviderError('Stripe', 'network', `${what} failed: no answer`);
    if (err instanceof Stripe.errors.StripeError) {
      const status = err.statusCode ?? 502;
      // Stripe's own message is safe to show (it never contains the key); its request id helps support.
      throw new ProviderError('Stripe', 'http', `${what} answered ${status}: ${err.message}`, status);
    }
    throw err;
  }
}
