#!/usr/bin/env node
// Runs the Prisma 7 CLI from backend/. Prisma downloads its native schema engine before most
// commands, and these machines cannot reach the engines host; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at an existing file skips that download, which is all `generate`,
// `validate` and `format` need (docs/decisions/002-migrations.md).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const backend = join(dirname(fileURLToPath(import.meta.url)), '..', 'backend');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false';
const cli = join(backend, 'node_modules', '.bin', 'prisma');
const fallback = join(backend, '..', 'node_modules', '.bin', 'prisma');
const { existsSync } = await import('node:fs');
// `generate` runs on every build: quiet unless it fails.
const quiet = process.argv[2] === 'generate';
const result = spawnSync(existsSync(cli) ? cli : fallback, process.argv.slice(2), {
  cwd: backend,
  env,
  stdio: quiet ? 'pipe' : 'inherit',
  encoding: 'utf8',
});
if (quiet && result.status !== 0) process.stderr.write(`${result.stdout}${result.stderr}`);
process.exit(result.status ?? 1);
