// CLI: starts the emulators and prints ONE line of JSON with their base URLs (and the Stripe
// webhook secret) to stdout (a parent process reads it to configure the product); nothing else
// ever goes to stdout.
//   node emulators/dist/main.js [--openrouter-port N] [--fal-port N] [--elevenlabs-port N]
//     [--stripe-port N] [--stripe-webhook-url URL] [--telegram-port N] [--telegram-token T] [--host H]
//     [--port-fallback] [--state-dir DIR]
// Port 0 or a missing flag picks a free port. A port that is taken is an error, unless
// --port-fallback is given: then that emulator listens on a free port and a warning on stderr says
// which. --state-dir keeps the Stripe and Telegram emulators' state in DIR (stripe.json,
// telegram.json), loaded at start and saved as it changes. SIGINT/SIGTERM close the servers (saving
// their state) and exit 0.
import { join } from 'node:path';
import { startElevenLabsEmulator } from './elevenlabs.js';
import { startFalEmulator } from './fal.js';
import type { Emulator } from './http.js';
import { startOpenRouterEmulator } from './openrouter.js';
import { startStripeEmulator, type StripeEmulator } from './stripe/index.js';
import { startTelegramEmulator } from './telegram/index.js';

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

const LABELS: Record<string, string> = {
  openrouter: 'OpenRouter',
  fal: 'Fal',
  elevenlabs: 'ElevenLabs',
  stripe: 'Stripe',
  telegram: 'Telegram',
};

async function main() {
  const args = process.argv.slice(2);
  const host = flag(args, 'host');
  const fallback = args.includes('--port-fallback');
  const stateDir = flag(args, 'state-dir');
  const ports = Object.fromEntries(Object.keys(LABELS).map((name) => [name, port(args, `${name}-port`)]));

  const moved: { name: string; wanted: number; port: number }[] = [];
  /** Starts one emulator on its port; a taken port falls back to a free one with --port-fallback. */
  const start = async <E extends Emulator>(name: string, run: (port: number) => Promise<E>): Promise<E> => {
    const wanted = ports[name]!;
    try {
      return await run(wanted);
    } catch (err) {
      if (!fallback || wanted === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      const emulator = await run(0);
      moved.push({ name, wanted, port: emulator.port });
      return emulator;
    }
  };

  const started: Emulator[] = [];
  const track = <E extends Emulator>(emulator: Promise<E>) =>
    emulator.then((e) => {
      started.push(e);
      return e;
    });
  const results = await Promise.allSettled([
    track(start('openrouter', (p) => startOpenRouterEmulator({ host, port: p }))),
    track(start('fal', (p) => startFalEmulator({ host, port: p }))),
    track(start('elevenlabs', (p) => startElevenLabsEmulator({ host, port: p }))),
    track(
      start('stripe', (p) =>
        startStripeEmulator({
          host,
          port: p,
          webhookUrl: flag(args, 'stripe-webhook-url'),
          stateFile: stateDir ? join(stateDir, 'stripe.json') : undefined,
        }),
      ),
    ),
    track(
      start('telegram', (p) =>
        startTelegramEmulator({
          host,
          port: p,
          token: flag(args, 'telegram-token'),
          stateFile: stateDir ? join(stateDir, 'telegram.json') : undefined,
        }),
      ),
    ),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((e) => e.close()));
    throw failed.reason;
  }
  const [openrouter, fal, elevenlabs, stripe, telegram] = results.map(
    (r) => (r as PromiseFulfilledResult<Emulator>).value,
  ) as [Emulator, Emulator, Emulator, StripeEmulator, Emulator];

  if (moved.length > 0) {
    const names = Object.keys(LABELS);
    moved.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    const list = moved.map((m) => `${LABELS[m.name]} ${m.wanted} -> ${m.port}`).join(', ');
    const links = moved.some((m) => m.name === 'stripe' || m.name === 'telegram')
      ? '; links handed out before (Stripe checkout and portal pages, the Telegram inbox) point at the old ports'
      : '';
    process.stderr.write(
      `emulators: warning: ${moved.length === 1 ? 'a port is' : 'ports are'} taken (by another program, or another stack): ${list}${links}\n`,
    );
  }

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.all(started.map((e) => e.close())).then(
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
    openrouter: openrouter.url,
    fal: fal.url,
    elevenlabs: elevenlabs.url,
    stripe: stripe.url,
    stripeWebhookSecret: stripe.webhookSecret,
    telegram: telegram.url,
  };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
}

main().catch((err: unknown) => {
  const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `emulators: ${taken ? `${message} (a port is taken; --port-fallback picks a free one)` : message}\n`,
  );
  process.exit(1);
});
