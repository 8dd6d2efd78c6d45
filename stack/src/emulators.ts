// The local emulators of the outside services (the `emulators/` workspace), started by the stack
// for every service that has no key, so the zero-config default runs the same client code as
// production against servers that speak the same protocols. They listen on fixed ports
// (EMULATOR_PORTS; a taken one falls back to a free port, with a warning) and keep the Stripe and
// Telegram state under <data dir>/emulators/, so a restart still knows the linked chat and the
// customer of a subscription, and the links they handed out still work. When they exit
// unexpectedly the stack starts them again (supervise.ts), on the same ports and state.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { LOCAL_BOT_TOKEN, repoRoot, type Config } from '@postaify/backend/tooling';
import { startProcess, type Managed } from './process.js';
import { supervise, type SuperviseOptions, type Supervised } from './supervise.js';

export interface EmulatorUrls {
  openrouter?: string;
  fal?: string;
  elevenlabs?: string;
  stripe?: string;
  stripeWebhookSecret?: string;
  telegram?: string;
}

export interface RunningEmulators {
  urls: EmulatorUrls;
  /** Environment for the app processes: base URLs of the services that are local. */
  env: Record<string, string>;
  /** The emulators' process, restarted when it exits unexpectedly once armed. */
  supervised: Supervised;
  stop: () => Promise<void>;
}

/** The emulators' fixed local ports: 3010–3014, beside the web app (3000) and the API (3001). */
export const EMULATOR_PORTS = { openrouter: 3010, fal: 3011, elevenlabs: 3012, stripe: 3013, telegram: 3014 } as const;

export const needsEmulators = (config: Config) =>
  [config.openrouter, config.fal, config.elevenlabs, config.stripe, config.telegram].some(
    (service) => service.mode === 'local',
  );

type EmulatorPorts = Record<keyof typeof EMULATOR_PORTS, number>;

/** Starts the emulators' process on `ports` (each falls back to a free one) and reads the URLs it prints first. */
async function launchEmulators(
  config: Config,
  ports: EmulatorPorts,
  timeoutMs: number,
): Promise<{ proc: Managed; urls: EmulatorUrls }> {
  const entry = join(repoRoot, 'emulators', 'dist', 'main.js');
  // The Stripe emulator sends its signed events to this stack's web process.
  const webhook = `http://127.0.0.1:${config.port}/api/v1/webhooks/stripe`;
  const args = [entry, '--stripe-webhook-url', webhook, '--telegram-token', LOCAL_BOT_TOKEN];
  for (const [name, port] of Object.entries(ports)) args.push(`--${name}-port`, String(port));
  args.push('--port-fallback', '--state-dir', join(config.dataDir, 'emulators'));
  const proc = startProcess('emulators', process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulators did not start within ${timeoutMs} ms`)), timeoutMs);
    const lines = createInterface({ input: proc.child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the emulators exited with code ${code} while starting`));
    });
  }).catch(async (err: unknown) => {
    await proc.stop('SIGKILL');
    throw err;
  });
  return { proc, urls: JSON.parse(first) as EmulatorUrls };
}

export async function startEmulators(
  config: Config,
  supervision: Pick<SuperviseOptions, 'say' | 'stopping' | 'onFatal'>,
  timeoutMs = 20_000,
): Promise<RunningEmulators> {
  const { proc, urls } = await launchEmulators(config, EMULATOR_PORTS, timeoutMs);
  // A restart asks for the ports of the first start (one that fell back keeps its new port).
  const ports = Object.fromEntries(
    Object.entries(EMULATOR_PORTS).map(([name, port]) => {
      const url = urls[name as keyof EmulatorPorts];
      return [name, url ? Number(new URL(url).port) : port];
    }),
  ) as EmulatorPorts;
  const supervised = supervise(
    'emulators',
    proc,
    async () => {
      const again = await launchEmulators(config, ports, timeoutMs);
      // The web and worker were given the first URLs: a port taken meanwhile moved one.
      if (JSON.stringify(again.urls) !== JSON.stringify(urls)) {
        supervision.say(
          `warning: the emulators came back on other ports (${JSON.stringify(again.urls)}); the web and worker still use the first ones: restart \`npm start\``,
        );
      }
      return again.proc;
    },
    supervision,
  );
  const env: Record<string, string> = {};
  if (config.openrouter.mode === 'local' && urls.openrouter) env.OPENROUTER_BASE_URL = urls.openrouter;
  if (config.fal.mode === 'local' && urls.fal) env.FAL_BASE_URL = urls.fal;
  if (config.elevenlabs.mode === 'local' && urls.elevenlabs) env.ELEVENLABS_BASE_URL = urls.elevenlabs;
  if (config.telegram.mode === 'local' && urls.telegram) env.TELEGRAM_API_ROOT = urls.telegram;
  if (config.stripe.mode === 'local' && urls.stripe) {
    env.STRIPE_API_BASE = urls.stripe;
    env.STRIPE_WEBHOOK_SECRET = urls.stripeWebhookSecret ?? '';
  }
  return { urls, env, supervised, stop: () => supervised.stop('SIGTERM', 5_000) };
}
