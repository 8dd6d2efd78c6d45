// For the database commands (`db:migrate`, `db:seed`): the database the environment names, or the
// local stack's embedded Postgres, started for the command and stopped after it.
import type { Config } from '../config/index.js';
import { startDatabase } from '../stack/infra.js';

export async function withDatabase<T>(config: Config, run: (url: string) => Promise<T>): Promise<T> {
  const { url, local } = await startDatabase(config, (line) => process.stderr.write(`${line}\n`));
  try {
    return await run(url);
  } finally {
    await local?.stop();
  }
}
