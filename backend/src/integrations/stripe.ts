// The Stripe SDK, pointed at STRIPE_API_BASE when set (a proxy, or the local emulator). The SDK
// retries network errors and 409/429/5xx itself with idempotency keys, so it is not wrapped in a
// second retry policy; every call has a timeout.
import type Stripe from 'stripe';
import type { Config } from '../config/index.js';
import { ProviderError } from './provider-error.js';

/** The emulator's default prices, used when no STRIPE_PRICE_* is configured (local mode only). */
export const LOCAL_PRICES = { PRO: 'price_pro_local', BUSINESS: 'price_business_local' } as const;

/**
 * The Stripe client, made on first use. Importing the SDK costs about 6 MB of heap (plus its code)
 * and the web process needs it only when a billing request or a Stripe/Clerk webhook arrives, so an
 * idle web process never loads it. One client per process; a failed load is tried again next time.
 */
export type StripeClient = () => Promise<Stripe>;

export function createStripe(config: Config['stripe']): StripeClient {
  let client: Promise<Stripe> | undefined;
  return () =>
    (client ??= import('stripe')
      .then(({ default: StripeSdk }) => {
        const base = config.apiBase ? new URL(config.apiBase) : undefined;
        return new StripeSdk(config.secretKey ?? 'sk_test_local_emulator', {
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
      })
      .catch((err: unknown) => {
        client = undefined;
        throw err;
      }));
}

export function priceIds(config: Config['stripe']) {
  return {
    PRO: config.prices.PRO ?? (config.mode === 'local' ? LOCAL_PRICES.PRO : undefined),
    BUSINESS: config.prices.BUSINESS ?? (config.mode === 'local' ? LOCAL_PRICES.BUSINESS : undefined),
  };
}

/**
 * Runs a Stripe call with the client, turning the SDK's errors into ProviderErrors (which know their
 * API error). A client that cannot be loaded is not Stripe's answer: that error passes unchanged.
 */
export async function viaStripe<T>(
  stripe: StripeClient,
  what: string,
  call: (client: Stripe) => Promise<T>,
): Promise<T> {
  const client = await stripe();
  try {
    return await call(client);
  } catch (err) {
    if (err instanceof client.errors.StripeConnectionError)
      throw new ProviderError('Stripe', 'network', `${what} failed: no answer`);
    if (err instanceof client.errors.StripeError) {
      const status = err.statusCode ?? 502;
      // Stripe's own message is safe to show (it never contains the key); its request id helps support.
      throw new ProviderError('Stripe', 'http', `${what} answered ${status}: ${err.message}`, status);
    }
    throw err;
  }
}
