// The start-up banner of the local stack: where everything is, and which outside services are
// real or local.
import type { Config } from '@postaify/backend/tooling';
import type { EmulatorUrls } from './emulators.js';
import type { FrontendMode, FrontendState } from './frontend.js';
import type { Infra } from './infra.js';

/** The web app as the banner shows it; undefined: the stack runs without it (POSTAIFY_FRONTEND=off). */
export interface WebApp {
  url: string;
  state: FrontendState;
  mode: FrontendMode;
}

// The user may be empty (`redis://:password@host`, the usual Redis form).
const redact = (url: string) => url.replace(/\/\/([^:/@]*):([^@]+)@/, '//$1:***@');

/** The banner's first line: what to open in a browser. */
function openThis(config: Config, web: WebApp | undefined): string {
  const docs = `http://localhost:${config.port}/api/v1/docs`;
  if (!web) return `  Open this  ${docs}   the API reference (the web app is off: POSTAIFY_FRONTEND=off)`;
  if (web.state === 'ready')
    return `  Open this  ${web.url}   the web app${web.mode === 'dev' ? ' (next dev, hot reload)' : ''}`;
  if (web.state === 'building') {
    return `  Open this  ${web.url}   the web app, once it is built (about 1-2 minutes; this terminal says when)`;
  }
  return `  Open this  ${docs}   the API reference (the web app is not running: see above)`;
}

export function banner(config: Config, infra: Infra, emulators: EmulatorUrls, elapsedMs: number, web?: WebApp): string {
  const local = (url: string | undefined) => `local (emulator at ${url ?? '?'})`;
  const services: Array<[string, string]> = [
    ['Clerk', config.clerk.mode === 'real' ? 'real' : `local (sign in: POST ${config.apiUrl}/api/v1/dev/session)`],
    ['OpenRouter', config.openrouter.mode === 'real' ? 'real' : local(emulators.openrouter)],
    ['Fal', config.fal.mode === 'real' ? 'real' : local(emulators.fal)],
    ['ElevenLabs', config.elevenlabs.mode === 'real' ? 'real' : local(emulators.elevenlabs)],
    [
      'Telegram',
      config.telegram.mode === 'real' ? 'real' : `${local(emulators.telegram)}; its inbox there shows the chats`,
    ],
    ['Stripe', config.stripe.mode === 'real' ? 'real' : `${local(emulators.stripe)}; checkout pages are served there`],
    [
      'Storage',
      config.storage.mode === 's3'
        ? 'S3'
        : `local files in ${config.dataDir}/media, served at ${config.storage.publicUrl}`,
    ],
  ];
  const lines = [
    '',
    openThis(config, web),
    `  API        http://localhost:${config.port}/api/v1   reference: http://localhost:${config.port}/api/v1/docs`,
    `  Health     http://localhost:${config.port}/health   ready: http://localhost:${config.port}/ready`,
    `  Postgres   ${redact(infra.databaseUrl)}${infra.postgres ? `  (embedded, data in ${config.dataDir}/postgres)` : ''}`,
    `  Redis      ${typeof infra.redis === 'string' ? redact(infra.redis) : `cluster ${infra.redis.cluster.map(redact).join(', ')}`}${infra.localRedis ? `  (local redis-server, data in ${config.dataDir}/redis)` : ''}`,
    ...(Object.keys(emulators).length > 0 ? [`  Emulators  their state is kept in ${config.dataDir}/emulators`] : []),
    '  Services',
    ...services.map(([name, mode]) => `    ${name.padEnd(11)}${mode}`),
    `Postaify is running (${(elapsedMs / 1000).toFixed(1)} s)${web?.state === 'ready' ? `: open ${web.url}` : ''}. Ctrl-C stops everything.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
