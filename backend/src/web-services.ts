// The web process's services, built once from its clients. Shared by the composition root
// (main.ts) and the tests, so both run the very same wiring.
import { Queue } from 'bullmq';
import type { Config } from './config/index.js';
import { createMetrics } from './http/metrics.js';
import type { Db } from './lib/db.js';
import type { Logger } from './lib/logger.js';
import { createRedis, type Redis } from './lib/redis.js';
import { createElevenLabs } from './integrations/elevenlabs.js';
import { createStorage } from './integrations/storage.js';
import { createStripe, priceIds } from './integrations/stripe.js';
import { createBot } from './integrations/telegram/client.js';
import { registerBotHandlers } from './modules/telegram/bot.js';
import { createLinkService } from './modules/telegram/telegram.service.js';
import { createBillingService } from './modules/billing/billing.service.js';
import { loadOrCreateLocalKeys } from './modules/auth/local-keys.js';
import { JobEventHub } from './modules/jobs/job-events.js';
import { createJobsService } from './modules/jobs/jobs.service.js';
import { createJobQueue, GENERATION_QUEUE, MAINTENANCE_QUEUE, queuePrefixFor } from './modules/jobs/queues.js';
import { DELIVERY_QUEUE, TICK_QUEUE } from './modules/delivery/delivery.jobs.js';
import { limitReplies } from './integrations/telegram/limited-api.js';
import { telegramLimiterPrefix } from './integrations/telegram/limiter.js';
import { createReplyBudget } from './integrations/telegram/reply-budget.js';
import { chatHasAccount } from './modules/telegram/link-status.js';
import { createNoticeQueue, NOTICE_QUEUE } from './modules/telegram/notices.js';
import { createAdmin } from './modules/admin/admin.routes.js';
import { telegramUpstreamError } from './integrations/telegram/errors.js';
import { createUsers } from './modules/users/wiring.js';
import { API_BASE } from './http/api-base.js';
import { planOfPrice } from './modules/billing/prices.js';
import { stripeWebhook } from './modules/billing/stripe-webhook.js';
import { createBrandsService } from './modules/brands/brands.service.js';
import { createVoiceCatalog } from './modules/media/voices.js';
import { createPostsService } from './modules/posts/posts.service.js';
import { telegramWebhook } from './modules/telegram/telegram-webhook.js';
import { clerkWebhook } from './modules/users/clerk-webhook.js';

export function createWebServices({
  config,
  logger,
  db,
  redis,
  queuePrefix = queuePrefixFor(config.redis!),
}: {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  queuePrefix?: string;
}) {
  // One subscriber connection for everything this process listens to.
  const subscriber = createRedis(config.redis!, logger, 'worker', 'web-subscriber');
  const queue = createJobQueue(redis, queuePrefix);
  // The web process never adds delivery jobs; it holds the queue only to count them for /metrics.
  const deliveries = new Queue(DELIVERY_QUEUE, { connection: redis, prefix: queuePrefix });
  const notices = createNoticeQueue(redis, queuePrefix);
  // A getter: the SDK loads on the first billing request or Stripe/Clerk webhook, not at boot.
  const stripe = createStripe(config.stripe);
  const bot = createBot(config.telegram);
  // Command replies and test messages have a budget of their own beside the senders', and are
  // dropped when it is spent (integrations/telegram/reply-budget.ts).
  const replies = createReplyBudget(redis, {
    perSecond: config.telegram.repliesPerSecond,
    prefix: telegramLimiterPrefix(queuePrefix),
  });
  bot.api.config.use(limitReplies(replies, chatHasAccount(db)));
  // The bot's @username (for deep links) from getMe, asked once when first needed.
  let username: Promise<string> | undefined;
  const botUsername = () =>
    (username ??= bot.api.getMe().then(
      (me) => me.username,
      (err: unknown) => {
        username = undefined;
        throw telegramUpstreamError(err, 'the bot could not be asked for its name');
      },
    ));
  const link = createLinkService({
    db,
    botUsername,
    localEmulatorUrl: config.telegram.mode === 'local' ? config.telegram.apiRoot : undefined,
  });
  registerBotHandlers(bot, { db, link, logger, appUrl: config.appUrl });
  const users = createUsers({ db, redis, subscriber, logger });
  const elevenlabs = createElevenLabs(config.elevenlabs);
  // The web process writes no media, but removes a deleted user's (local files or S3 objects).
  const storage = createStorage(config);
  // The admin pages (Bull Board) exist only when ADMIN_USER_IDS names someone; the board shows
  // every queue, so the web process holds the ones it does not use itself too.
  const boardOnly =
    config.admin.userIds.length > 0
      ? [NOTICE_QUEUE, TICK_QUEUE, MAINTENANCE_QUEUE].map(
          (name) => new Queue(name, { connection: redis, prefix: queuePrefix }),
        )
      : [];
  const admin =
    config.admin.userIds.length > 0
      ? createAdmin({
          db,
          logger,
          userIds: config.admin.userIds,
          sessionSecret: config.admin.sessionSecret,
          apiUrl: config.apiUrl,
          basePath: `${API_BASE}/admin`,
          queues: [queue.queue, deliveries, ...boardOnly],
        })
      : undefined;
  const voices = createVoiceCatalog({ redis, elevenlabs, config, logger, apiBaseUrl: `${config.apiUrl}${API_BASE}` });
  const services = {
    users,
    jobs: createJobsService({ db, redis, queue, logger }),
    hub: new JobEventHub(subscriber, logger, { redis, limits: config.jobEventStreams }),
    storage,
    stripe,
    notices,
    bot,
    link,
    voices,
    brands: createBrandsService({ db, voices }),
    posts: createPostsService({ db, storagePublicUrl: storage.publicUrl }),
    // The webhooks' handlers; routes mount them before any body parser (webhooks.routes.ts).
    webhooks: {
      stripe: stripeWebhook({
        db,
        stripe,
        planOfPrice: planOfPrice(config),
        invalidateUser: users.invalidate,
        logger,
        webhookSecret: config.stripe.webhookSecret,
        notices,
      }),
      clerk: clerkWebhook({
        db,
        stripe,
        logger,
        signingSecret: config.clerk.webhookSigningSecret,
        invalidateUser: users.invalidate,
        storage,
      }),
      telegram: telegramWebhook(bot, config.telegram),
    },
    billing: createBillingService({ db, stripe, prices: priceIds(config.stripe), appUrl: config.appUrl }),
    // Without Clerk (never in production) the local sign-in signs tokens with its own key pair.
    localKeys: config.clerk.mode === 'local' ? loadOrCreateLocalKeys(config.dataDir) : undefined,
    admin,
    metrics: createMetrics({ db, queues: { [GENERATION_QUEUE]: queue.queue, [DELIVERY_QUEUE]: deliveries } }),
  };
  return {
    services,
    close: async () => {
      await queue.close();
      await deliveries.close();
      await notices.close();
      await Promise.all(boardOnly.map((q) => q.close()));
      await subscriber.quit();
    },
  };
}

export type WebServices = ReturnType<typeof createWebServices>['services'];
