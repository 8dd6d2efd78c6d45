// CLI: starts the emulators and prints ONE line of JSON with their base URLs (and the Stripe
// webhook secret) to stdout (a parent process reads it to configure the product); nothing else
// ever goes to stdout.
//   node emulators/dist/main.js [--openrouter-port N] [--fal-port N] [--elevenlabs-port N]
//     [--stripe-port N] [--stripe-webhook-url URL] [--telegram-port N] [--telegram-token T] [--host H]
// Port 0 or a missing flag picks a free port. SIGINT/SIGTERM close the servers and exit 0.
import { startAllEmulators, startStripeEmulator, startTelegramEmulator } from './index.js';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function port(args: string[], name: string): number {
  const raw = flag(args, name);
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`--${name} must be a port number (0-65535), got ${raw}`);
  }
  return value;
}

async function main() {
  const args = process.argv.slice(2);
  const emulators = await startAllEmulators({
    host: flag(args, 'host'),
    openrouterPort: port(args, 'openrouter-port'),
    falPort: port(args, 'fal-port'),
    elevenlabsPort: port(args, 'elevenlabs-port'),
  });
  const stripe = await startStripeEmulator({
    host: flag(args, 'host'),
    port: port(args, 'stripe-port'),
    webhookUrl: flag(args, 'stripe-webhook-url'),
  });
  const telegram = await startTelegramEmulator({
    host: flag(args, 'host'),
    port: port(args, 'telegram-port'),
    token: flag(args, 'telegram-token'),
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.all([emulators.close(), stripe.close(), telegram.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`emulators: close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const urls = {
    openrouter: emulators.openrouter.url,
    fal: emulators.fal.url,
    elevenlabs: emulators.elevenlabs.url,
    stripe: stripe.url,
    stripeWebhookSecret: stripe.webhookSecret,
    telegram: telegram.url,
  };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulators: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
