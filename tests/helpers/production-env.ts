// A complete production environment (every key set, nothing local), for tests of what production
// requires and allows.
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://u:p@db.internal:5432/postaify',
  REDIS_URL: 'redis://redis.internal:6379',
  API_URL: 'https://api.postaify.example',
  APP_URL: 'https://postaify.example',
  CLERK_PUBLISHABLE_KEY: 'pk_live_x',
  CLERK_SECRET_KEY: 'sk_live_x',
  CLERK_WEBHOOK_SIGNING_SECRET: 'whsec_x',
  OPENROUTER_API_KEY: 'or-key',
  FAL_KEY: 'fal-key',
  ELEVENLABS_API_KEY: 'el-key',
  TELEGRAM_BOT_TOKEN: '123:abc',
  TELEGRAM_WEBHOOK_SECRET: 'tg-secret',
  STRIPE_SECRET_KEY: 'sk_live_stripe',
  STRIPE_WEBHOOK_SECRET: 'whsec_stripe',
  STRIPE_PRICE_PRO: 'price_pro',
  STRIPE_PRICE_BUSINESS: 'price_business',
  S3_BUCKET: 'media',
  S3_ACCESS_KEY_ID: 'AKIA',
  S3_SECRET_ACCESS_KEY: 'secret',
  S3_PUBLIC_URL: 'https://media.postaify.example',
  // Railway's edge is one proxy hop in front of the API.
  TRUST_PROXY: '1',
  METRICS_TOKEN: 'metrics-token-of-32-characters-x',
};
