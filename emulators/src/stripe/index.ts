// Stripe emulator: the /v1 API that the `stripe` SDK (v23) reaches with
// `new Stripe(key, { host, port, protocol: 'http' })`, hosted Checkout and portal pages, and
// signed webhooks. See server.ts (wire rules), api.ts (idempotency), control.ts (control API),
// store.ts and store/<resource>.ts (what each action changes and which events it sends),
// routes.ts and routes/<resource>.ts (parameters), and webhooks.ts (signing, delivery order, retries).
export {
  startStripeEmulator,
  STRIPE_EMULATOR_WEBHOOK_SECRET,
  type StripeEmulator,
  type StripeEmulatorOptions,
} from './server.js';
export {
  STRIPE_API_VERSION,
  StripeApiError,
  stripeErrorBody,
  type Metadata,
  type StripeErrorBody,
  type StripeList,
} from './objects.js';
export { STRIPE_DEFAULT_PRICES, type Price, type Product, type StripePriceOption } from './store/prices.js';
export type { Customer, DeletedCustomer } from './store/customers.js';
export type { CheckoutSession } from './store/checkout.js';
export type { Subscription, SubscriptionItem, SubscriptionStatus } from './store/subscriptions.js';
export type { Invoice } from './store/invoices.js';
export type { PortalSession } from './store/portal.js';
export type { StripeEvent } from './store/events.js';
export { StripeStore, type PayResult, type StripeStoreSnapshot } from './store.js';
export { signStripePayload, type DeliveryRecord } from './webhooks.js';
export { parseForm } from './form.js';
