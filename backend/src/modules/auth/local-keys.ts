// The local sign-in's RSA key pair, kept under the data folder so tokens survive restarts. Its
// public half is handed to Clerk's middleware as `jwtKey`: local tokens are verified by exactly
// the code that verifies real Clerk tokens.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function loadOrCreateLocalKeys(dataDir: string): LocalKeys {
  const dir = join(dataDir, 'auth');
  const privatePath = join(dir, 'local-signin.key');
  const publicPath = join(dir, 'local-signin.pub');
  if (!existsSync(privatePath) || !existsSync(publicPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    // Write-then-rename: two processes starting together never read half a key.
    const suffix = `.${process.pid}.tmp`;
    writeFileSync(privatePath + suffix, privateKey, { mode: 0o600 });
    writeFileSync(publicPath + suffix, publicKey, { mode: 0o644 });
    if (!existsSync(privatePath)) {
      renameSync(publicPath + suffix, publicPath);
      renameSync(privatePath + suffix, privatePath);
    }
  }
  return { privateKeyPem: readFileSync(privatePath, 'utf8'), publicKeyPem: readFileSync(publicPath, 'utf8') };
}
