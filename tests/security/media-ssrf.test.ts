// OWASP API7 (SSRF) on the post's media URLs. `imageUrl` / `audioUrl` are either media this
// product stored for the same user or an https URL on a public host: internal addresses in any
// spelling are refused at write time (400, nothing written); a public URL reaches Telegram as a
// URL string (Telegram fetches it, never our worker; stored media are uploaded from storage, see
// tests/integration/media/s3-storage.test.ts); and a row that holds an internal URL anyway (written before the check) or another user's media
// is refused at delivery without a single request to that URL, with a reason that names no host.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../../emulators/src/png.ts';
import { mp3OfDuration } from '../../emulators/src/mp3.ts';
import { signInLocally } from '../helpers/auth.ts';
import { client, type Client } from '../helpers/http.ts';
import { startTelegram, type TelegramSetup } from '../helpers/telegram.ts';
import { until } from '../helpers/wait.ts';

let t: TelegramSetup;
/** A service on 127.0.0.1 standing for anything inside our network; it counts who asks it. */
let internal: Server;
let internalHits = 0;
let internalPort = 0;

beforeAll(async () => {
  // Telegram (the emulator) fetches URLs it is given; it gives up fast on hosts it cannot reach.
  // One API_URL for web and worker, as in a deployment: stored media live under `${API_URL}/media`.
  t = await startTelegram({
    withWorker: true,
    env: { API_URL: 'http://localhost:3001' },
    emulator: { urlFetchTimeoutMs: 1_000 },
  });
  internal = createServer((_req, res) => {
    internalHits += 1;
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(encodePng(8, 8, 1));
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  internalPort = (internal.address() as AddressInfo).port;
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => (internal ? internal.close(() => resolve()) : resolve()));
});

let nextChat = 7_100_001;

async function user(): Promise<{ c: Client; userId: string }> {
  const c = client(t.app.api, await signInLocally(t.app.api));
  return { c, userId: (await c.get('/me')).body.id };
}

async function linkedUser(): Promise<{ c: Client; chat: number; userId: string }> {
  const { c, userId } = await user();
  const chat = nextChat++;
  const { code } = (await c.post('/telegram/link')).body;
  t.telegram.userMessage(chat, { text: `/start ${code}`, username: `u${chat}`, first_name: 'Test' });
  await until('the chat to be linked', async () => ((await c.get('/telegram')).body.linked ? true : undefined), 10_000);
  return { c, chat, userId };
}

/** Stores a file the way the storage does (local disk, served at /media) for `userId`. */
async function stored(userId: string, kind: 'IMAGE' | 'AUDIO') {
  const ext = kind === 'IMAGE' ? 'png' : 'mp3';
  const key = `${kind === 'IMAGE' ? 'images' : 'audio'}/${randomBytes(16).toString('hex')}.${ext}`;
  const data = kind === 'IMAGE' ? encodePng(16, 16, 5) : mp3OfDuration(1);
  const file = join(t.app.config.dataDir, 'media', key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  const url = `${t.app.config.storage.publicUrl}/${key}`;
  const contentType = kind === 'IMAGE' ? 'image/png' : 'audio/mpeg';
  await t.app.db.mediaAsset.create({ data: { userId, kind, storageKey: key, url, contentType, bytes: data.length } });
  return url;
}

const sendRequests = (chat: number) =>
  t.telegram.requests.filter(
    (r) =>
      /\/send(Photo|Voice)$/.test(r.path) && String((r.body as { chat_id?: unknown } | null)?.chat_id) === String(chat),
  );

async function finished(c: Client, postId: string) {
  return until(
    `post ${postId} to be delivered or failed`,
    async () => {
      const post = (await c.get(`/posts/${postId}`)).body;
      return post.status === 'DELIVERED' || post.status === 'FAILED' ? post : undefined;
    },
    20_000,
    50,
  );
}

/** Each of these names something inside a network, or is not https on a public host. */
const REFUSED: Array<[string, string]> = [
  ['plain http', 'http://cdn.example.com/a.png'],
  ['another scheme', 'ftp://cdn.example.com/a.png'],
  ['loopback', 'https://127.0.0.1/a.png'],
  ['loopback, elsewhere in 127/8', 'https://127.10.20.30/a.png'],
  ['loopback, decimal', 'https://2130706433/a.png'],
  ['loopback, hex', 'https://0x7f000001/a.png'],
  ['loopback, octal', 'https://0177.0.0.1/a.png'],
  ['loopback, short form', 'https://127.1/a.png'],
  ['loopback IPv6', 'https://[::1]/a.png'],
  ['loopback, IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/a.png'],
  ['loopback, IPv4-mapped IPv6 in hex', 'https://[0:0:0:0:0:ffff:7f00:1]/a.png'],
  ['localhost', 'https://localhost/a.png'],
  ['localhost, upper case with a trailing dot', 'https://LOCALHOST./a.png'],
  ['a .localhost name', 'https://api.localhost/a.png'],
  ['private 10/8', 'https://10.0.0.5/a.png'],
  ['private 172.16/12', 'https://172.16.3.4/a.png'],
  ['private 192.168/16', 'https://192.168.1.1/a.png'],
  ['carrier-grade NAT 100.64/10', 'https://100.64.0.1/a.png'],
  ['link-local (cloud metadata)', 'https://169.254.169.254/latest/meta-data/'],
  ['link-local, IPv4-mapped', 'https://[::ffff:169.254.169.254]/latest/meta-data/'],
  ['link-local IPv6', 'https://[fe80::1]/a.png'],
  ['unique-local IPv6', 'https://[fd12:3456::1]/a.png'],
  ['unique-local IPv6 fc00::/7', 'https://[fc00::1]/a.png'],
  ['multicast', 'https://224.0.0.1/a.png'],
  ['multicast IPv6', 'https://[ff02::1]/a.png'],
  ['unspecified', 'https://0.0.0.0/a.png'],
  ['unspecified IPv6', 'https://[::]/a.png'],
  ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/a.png'],
  ['6to4 of a private address', 'https://[2002:a00:1::]/a.png'],
  ['a name without a dot', 'https://intranet/a.png'],
  ['a .internal name (cloud metadata)', 'https://metadata.google.internal/computeMetadata/v1/'],
  ['a .local name', 'https://printer.local/a.png'],
  ['credentials in the URL', 'https://user:secret@cdn.example.com/a.png'],
  ['a port other than 443', 'https://cdn.example.com:8443/a.png'],
];

describe('media URLs at write time', () => {
  it.each(REFUSED)('refuses %s as imageUrl (400 naming the field, nothing written)', async (_what, url) => {
    const { c, userId } = await user();
    const res = await c.post('/posts', { platform: 'LINKEDIN', content: 'Hello.', imageUrl: url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.issues).toEqual([{ path: 'body.imageUrl', message: expect.any(String) }]);
    expect(await t.app.db.post.count({ where: { userId } })).toBe(0);
  });

  it('refuses internal addresses as audioUrl, and on an update (the post is left as it was)', async () => {
    const { c } = await user();
    const post = (await c.post('/posts', { platform: 'LINKEDIN', content: 'Hello.' })).body;
    for (const url of ['https://10.1.2.3/v.mp3', 'https://[::ffff:10.1.2.3]/v.mp3', 'http://cdn.example.com/v.mp3']) {
      const created = await c.post('/posts', { platform: 'LINKEDIN', content: 'Hello.', audioUrl: url });
      expect(created.status).toBe(400);
      expect(created.body.error.details.issues[0].path).toBe('body.audioUrl');
      const patched = await c.patch(`/posts/${post.id}`, { audioUrl: url });
      expect(patched.status).toBe(400);
      expect(patched.body.error.details.issues[0].path).toBe('body.audioUrl');
      const patchedImage = await c.patch(`/posts/${post.id}`, { imageUrl: url });
      expect(patchedImage.status).toBe(400);
      expect(patchedImage.body.error.details.issues[0].path).toBe('body.imageUrl');
    }
    const row = await t.app.db.post.findUniqueOrThrow({ where: { id: post.id } });
    expect([row.imageUrl, row.audioUrl, row.updatedAt.toISOString()]).toEqual([null, null, post.updatedAt]);
  });

  it("accepts the user's own stored media and refuses another user's (or the wrong kind)", async () => {
    const owner = await user();
    const other = await user();
    const image = await stored(owner.userId, 'IMAGE');
    const voice = await stored(owner.userId, 'AUDIO');
    const own = await owner.c.post('/posts', {
      platform: 'LINKEDIN',
      content: 'Mine.',
      imageUrl: image,
      audioUrl: voice,
    });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ imageUrl: image, audioUrl: voice });

    const stolen = await other.c.post('/posts', { platform: 'LINKEDIN', content: 'Theirs.', imageUrl: image });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details.issues[0].path).toBe('body.imageUrl');
    const wrongKind = await owner.c.post('/posts', { platform: 'LINKEDIN', content: 'Mixed.', imageUrl: voice });
    expect(wrongKind.status).toBe(400);
    // A stored-looking URL that is no one's media.
    const unknown = `${t.app.config.storage.publicUrl}/images/${'0'.repeat(32)}.png`;
    expect((await owner.c.post('/posts', { platform: 'LINKEDIN', content: 'Gone.', imageUrl: unknown })).status).toBe(
      400,
    );
    expect(await t.app.db.post.count({ where: { userId: other.userId } })).toBe(0);
    expect(await t.app.db.post.count({ where: { userId: owner.userId } })).toBe(1);
  });
});

describe('media URLs at delivery', () => {
  it('hands a public https URL to Telegram as a URL string: the worker never downloads it', async () => {
    const { c, chat } = await linkedUser();
    const url = `https://cdn.example.com/${randomBytes(6).toString('hex')}.png`;
    const post = (await c.post('/posts', { platform: 'INSTAGRAM', content: 'From a CDN.', imageUrl: url })).body;
    expect(post.imageUrl).toBe(url);
    expect((await c.post(`/posts/${post.id}/send-now`)).status).toBe(200);

    // Telegram was asked to fetch the URL itself: the photo is the string, not an upload.
    const [request] = await until('Telegram to be asked for the photo', () => {
      const found = sendRequests(chat);
      return found.length > 0 ? found : undefined;
    });
    expect((request!.body as { photo: unknown }).photo).toBe(url);
    // This emulated Telegram cannot reach cdn.example.com: its refusal is what the post shows.
    const done = await finished(c, post.id);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/^Telegram rejected the message/);
  });

  it('refuses an internal URL that is already in a row: no request reaches it, no host in lastError', async () => {
    const { c, chat, userId } = await linkedUser();
    const url = `http://127.0.0.1:${internalPort}/secret.png`;
    // Written behind the API's back, as a row from before the write-time check would be.
    const post = await t.app.db.post.create({
      data: { userId, platform: 'INSTAGRAM', content: 'Legacy.', imageUrl: url },
    });
    const before = internalHits;
    expect((await c.post(`/posts/${post.id}/send-now`)).status).toBe(200);
    const done = await finished(c, post.id);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/not an https URL on a public host/);
    expect(done.lastError).not.toMatch(/127\.0\.0\.1|localhost/);
    expect(done.lastError).not.toContain(String(internalPort));
    expect(internalHits).toBe(before);
    expect(sendRequests(chat)).toEqual([]);
  });

  it("never sends another user's stored media, even from a row that names it", async () => {
    const owner = await user();
    const { c, chat, userId } = await linkedUser();
    const image = await stored(owner.userId, 'IMAGE');
    const post = await t.app.db.post.create({
      data: { userId, platform: 'INSTAGRAM', content: 'Borrowed.', imageUrl: image },
    });
    expect((await c.post(`/posts/${post.id}/send-now`)).status).toBe(200);
    const done = await finished(c, post.id);
    expect(done.status).toBe('FAILED');
    expect(done.lastError).toMatch(/not media stored for this account/);
    expect(sendRequests(chat)).toEqual([]);
    // The owner's file_id was not touched by someone else's delivery either.
    expect((await t.app.db.mediaAsset.findFirstOrThrow({ where: { url: image } })).telegramFileId).toBeNull();
  });
});
