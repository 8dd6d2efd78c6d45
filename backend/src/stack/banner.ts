// The start-up banner of the local stack: where everything is, and which outside services are
// real or local.
import type { Config } from '../config/index.js';
import type { Infra } from './infra.js';

const redact = (url: string) => url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');

export function banner(config: Config, infra: Infra, elapsedMs: number): string {
  const services: Array<[string, string]> = [
    ['Clerk', config.clerk.mode === 'real' ? 'real' : 'local (local sign-in: not built yet, see issue 3)'],
    ['OpenRouter', config.openrouter.mode === 'real' ? 'real' : 'local (emulator: not built yet)'],
    ['Fal', config.fal.mode === 'real' ? 'real' : 'local (emulator: not built yet)'],
    ['ElevenLabs', config.elevenlabs.mode === 'real' ? 'real' : 'local (emulator: not built yet)'],
    ['Telegram', config.telegram.mode === 'real' ? 'real' : 'local (emulator: not built yet)'],
    ['Stripe', config.stripe.mode === 'real' ? 'real' : 'local (emulator: not built yet)'],
    ['Storage', config.storage.mode === 's3' ? 'S3' : 'local files'],
  ];
  const lines = [
    '',
    `Postaify is running (${(elapsedMs / 1000).toFixed(1)} s)`,
    `  API        http://localhost:${config.port}/api/v1`,
    `  Health     http://localhost:${config.port}/health   ready: http://localhost:${config.port}/ready`,
    `  Postgres   ${redact(infra.databaseUrl)}${infra.postgres ? `  (embedded, data in ${config.dataDir}/postgres)` : ''}`,
    `  Redis      ${infra.redisUrl}${infra.redis ? `  (local redis-server, data in ${config.dataDir}/redis)` : ''}`,
    '  Services',
    ...services.map(([name, mode]) => `    ${name.padEnd(11)}${mode}`),
    '  Ctrl-C stops everything.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
