// Shared setup of the posts tests (posts-crud, posts-lists, posts-schedule): one app per test file,
// users with and without a linked Telegram chat, and the assertions on the spec's error envelope.
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { signInLocally } from '../../helpers/auth.ts';
import { client, type Client, type Reply } from '../../helpers/http.ts';
import { until } from '../../helpers/wait.ts';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** The test file's app; set by `useTestApp()` before its tests run. */
export let app: TestApp;

/** Starts the app before the calling test file's tests and closes it after them. */
export function useTestApp(): void {
  beforeAll(async () => {
    // The per-IP rate-limit counter lives in Redis under one key for 127.0.0.1, shared by every test
    // file of the run. The posts files use their own Redis database and a high limit, so that they
    // neither trip over the other files' requests nor push them over their limit.
    app = await startTestApp({ env: { REDIS_URL: `${inject('redisUrl')}/13`, RATE_LIMIT_PER_IP: '1000000' } });
    await until('the app to reach Redis', async () => (await fetch(`${app.url}/ready`)).status === 200);
  });
  afterAll(() => app?.close());
}

export interface User {
  c: Client;
  id: string;
}

export async function newUser(): Promise<User> {
  const c = client(app.api, await signInLocally(app.api));
  const me = await c.get('/me');
  expect(me.status).toBe(200);
  return { c, id: me.body.id as string };
}

let nextChatId = 700_000_000n;
/** A Telegram chat id no chat of this file has had yet. */
export const newChatId = (): bigint => nextChatId++;

/** A Telegram chat for the user, as the bot's /start would leave it. */
export async function linkChat(userId: string, status: 'LINKED' | 'UNREACHABLE' = 'LINKED'): Promise<bigint> {
  const chatId = newChatId();
  await app.db.telegramChat.create({ data: { userId, chatId, username: 'ann', status } });
  return chatId;
}

export async function linkedUser(): Promise<User & { chatId: bigint }> {
  const user = await newUser();
  return { ...user, chatId: await linkChat(user.id) };
}

export async function createPost(c: Client, body: Record<string, unknown> = {}): Promise<any> {
  const res = await c.post('/posts', { platform: 'TWITTER', content: 'Fresh beans today.', ...body });
  expect(res.status).toBe(201);
  return res.body;
}

/** Asserts the spec's error envelope and X-Request-Id, and returns the `error` object. */
export function expectError(res: Reply, status: number, code: string): any {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body).sort()).toEqual(['error', 'requestId']);
  expect(['code', 'details', 'message']).toEqual(expect.arrayContaining(Object.keys(res.body.error)));
  expect(res.body.error.message).toEqual(expect.any(String));
  expect(res.body.error.message.length).toBeGreaterThan(0);
  if ('details' in res.body.error) expect(res.body.error.details).toEqual(expect.any(Object));
  expect(res.body.requestId).toEqual(expect.any(String));
  expect(res.body.requestId.length).toBeGreaterThan(0);
  expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
  return res.body.error;
}

/** A 400 VALIDATION_ERROR that names `path` (e.g. `body.content`). */
export function expectInvalid(res: Reply, path: string): any {
  const error = expectError(res, 400, 'VALIDATION_ERROR');
  const named = (error.details?.issues ?? []).flatMap((i: any) => [i.path, ...(i.fields ?? [])]);
  expect(named).toContain(path);
  return error;
}

export const row = (id: string) => app.db.post.findUniqueOrThrow({ where: { id } });
export const deliveries = (postId: string) =>
  app.db.delivery.findMany({ where: { postId }, orderBy: { createdAt: 'asc' } });
export const postCount = () => app.db.post.count();

/** `at` written with a +02:00 offset, without milliseconds (e.g. 2026-12-05T14:00:00+02:00). */
export function withPlus2(at: Date): string {
  return new Date(at.getTime() + 2 * 60 * MINUTE).toISOString().replace(/\.\d{3}Z$/, '+02:00');
}
export const wholeMinute = (ms: number) => new Date(Math.floor(ms / MINUTE) * MINUTE);
