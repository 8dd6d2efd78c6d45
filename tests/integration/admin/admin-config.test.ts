// ADMIN_USER_IDS and ADMIN_SESSION_SECRET: a list entry that is no user id is refused everywhere
// (it would grant nobody and look like a working setting); production with admins needs a secret
// of 32+ characters, the same on every web replica; no line prints the secret.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../backend/src/config/index.ts';
import { PRODUCTION_ENV } from '../../helpers/production-env.ts';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ POSTAIFY_ENV_FILE: '', ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

const ADMIN = '0b7c3a52-4a8e-4f55-9c61-1d2f3e4a5b6c';

describe('admin configuration', () => {
  it('is off without ADMIN_USER_IDS, and takes user ids and Clerk user ids', () => {
    expect(loadConfig({ POSTAIFY_ENV_FILE: '' }).admin.userIds).toEqual([]);
    const config = loadConfig({ POSTAIFY_ENV_FILE: '', ADMIN_USER_IDS: `${ADMIN}, user_2abcDEF123` });
    expect(config.admin.userIds).toEqual([ADMIN, 'user_2abcDEF123']);
  });

  it('refuses an entry that is neither, in every environment, without echoing it', () => {
    for (const env of [{}, { NODE_ENV: 'test' }] as Array<Record<string, string>>) {
      const found = problems({ ...env, ADMIN_USER_IDS: `${ADMIN},ops@example.com` });
      expect(found).toEqual([expect.stringMatching(/^ADMIN_USER_IDS: 1 entry is neither a user id/)]);
      expect(found.join('\n')).not.toContain('ops@example.com');
    }
  });

  it('in production with admins, requires ADMIN_SESSION_SECRET of 32+ characters (and prints no secret)', () => {
    expect(problems({ ...PRODUCTION_ENV })).toEqual([]);
    expect(problems({ ...PRODUCTION_ENV, ADMIN_USER_IDS: ADMIN })).toEqual([
      expect.stringMatching(/^ADMIN_SESSION_SECRET is required in production: ADMIN_USER_IDS is set/),
    ]);
    const short = problems({ ...PRODUCTION_ENV, ADMIN_USER_IDS: ADMIN, ADMIN_SESSION_SECRET: 'too-short-secret' });
    expect(short).toEqual([expect.stringMatching(/^ADMIN_SESSION_SECRET must be at least 32 characters/)]);
    expect(short.join('\n')).not.toContain('too-short-secret');
    const secret = 'x'.repeat(32);
    expect(problems({ ...PRODUCTION_ENV, ADMIN_USER_IDS: ADMIN, ADMIN_SESSION_SECRET: secret })).toEqual([]);
  });
});
