// Stripe emulator: the /v1 API that the `stripe` SDK (v23) reaches with
// `new Stripe(key, { host, port, protocol: 'http' })`, hosted Checkout and portal pages, and
// signed webhooks. See server.ts (wire rules, control API), store.ts (what each action changes and
// which events it sends) and webhooks.ts (signing, delivery order, retries).
export {
  startStripeEmulator,
  STRIPE_EMULATOR_WEBHOOK_SECRET,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from './server.js';
export {
  STRIPE_API_VERSION,
  STRIPE_DEFAULT_PRICES,
  StripeApiError,
  stripeErrorBody,
  type CheckoutSession,
  type Customer,
  type DeletedCustomer,
  type Invoice,
  type Metadata,
  type PortalSession,
  type Price,
  type Product,
  type StripeErrorBody,
  type StripeEvent,
  type StripeList,
  type StripePriceOption,
  type Subscription,
  type SubscriptionItem,
  type SubscriptionStatus,
} from './objects.js';
export { StripeStore, type PayResult, type StripeStoreSnapshot } from './store.js';
export { signStripePayload, type DeliveryRecord } from './webhooks.js';
export { parseForm } from './form.js';
