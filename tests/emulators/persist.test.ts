// The emulators' state across a restart, as the local stack runs them (`stateFile`, or the CLI's
// --state-dir): a Stripe customer with its subscription and a Telegram chat with its history,
// updates and files are still known after close and start; the file is replaced atomically and an
// unreadable one is set aside. The CLI's fixed ports fall back to a free one, with a warning, when
// taken (and are an error without --port-fallback).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot, InputFile } from 'grammy';
import Stripe from 'stripe';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodePng } from '../../emulators/src/png.ts';
import { startStripeEmulator } from '../../emulators/src/stripe/index.ts';
import { startTelegramEmulator } from '../../emulators/src/telegram/index.ts';
import { until } from '../helpers/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'postaify-emulator-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'sk_test_postaify_emulator';
const main = join(import.meta.dirname, '..', '..', 'emulators', 'dist', 'main.js');

const stripeFor = (url: string) => {
  const { hostname, port } = new URL(url);
  return new Stripe(KEY, { host: hostname, port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
};

describe('emulator state across a restart', () => {
  it('Stripe: customers, checkout sessions, subscriptions and events are still known', async () => {
    const stateFile = join(dir, 'stripe', 'stripe.json');
    const first = await startStripeEmulator({ stateFile });
    const stripe = stripeFor(first.url);
    const customer = await stripe.customers.create({ email: 'ana@example.com', metadata: { userId: 'u_1' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: 'price_pro_local', quantity: 1 }],
      success_url: 'http://localhost:3000/billing/success',
    });
    const paid = (await (await fetch(`${first.url}/__control/pay/${session.id}`, { method: 'POST' })).json()) as {
      subscription: { id: string };
    };
    // Written soon after the requests, not only on close.
    await until('the state file to name the customer', () => readFileSync(stateFile, 'utf8').includes(customer.id));
    await first.close();

    const second = await startStripeEmulator({ stateFile });
    try {
      const again = stripeFor(second.url);
      expect(await again.customers.retrieve(customer.id)).toMatchObject({ id: customer.id, email: 'ana@example.com' });
      expect(await again.subscriptions.retrieve(paid.subscription.id)).toMatchObject({
        customer: customer.id,
        status: 'active',
      });
      expect(await again.checkout.sessions.retrieve(session.id)).toMatchObject({ status: 'complete' });
      expect((await again.subscriptions.list({ customer: customer.id })).data).toHaveLength(1);
      expect((await again.events.list({ limit: 100 })).data.map((e) => e.type)).toContain('checkout.session.completed');
      // What the product does next: the billing portal for that customer.
      const portal = await again.billingPortal.sessions.create({ customer: customer.id });
      expect(portal.url).toContain('/portal/');
      expect(readdirSync(join(dir, 'stripe'))).toEqual(['stripe.json']); // no temporary file left
    } finally {
      await second.close();
    }
  });

  it('Telegram: the chat, its history, unconfirmed updates, update ids and sent files are still known', async () => {
    const stateFile = join(dir, 'telegram', 'telegram.json');
    const first = await startTelegramEmulator({ stateFile });
    const bot = new Bot(first.token, { client: { apiRoot: first.url } });
    first.userMessage(4242, { text: '/start link-code', username: 'ana', first_name: 'Ana' });
    const [start] = await bot.api.getUpdates({ timeout: 0 });
    await bot.api.getUpdates({ offset: start!.update_id + 1, timeout: 0 }); // confirmed
    const sent = await bot.api.sendMessage(4242, 'Linked.', {
      reply_markup: { inline_keyboard: [[{ text: 'Posted', callback_data: 'posted:1' }]] },
    });
    const photo = await bot.api.sendPhoto(4242, new InputFile(encodePng(64, 48, 3), 'p.png'));
    first.userMessage(4242, { text: 'still there?' }); // left unconfirmed
    await first.close();

    const second = await startTelegramEmulator({ stateFile });
    try {
      const again = new Bot(second.token, { client: { apiRoot: second.url } });
      // The linked chat is known: no "chat not found".
      expect(await again.api.sendMessage(4242, 'Your post')).toMatchObject({ chat: { id: 4242, username: 'ana' } });
      const pending = await again.api.getUpdates({ timeout: 0 });
      expect(pending.map((u) => u.message?.text)).toEqual(['still there?']);
      expect(pending[0]!.update_id).toBe(start!.update_id + 1);
      const next = second.userMessage(4242, { text: 'new' });
      expect(next.update_id).toBe(start!.update_id + 2);
      // The history and its records, a button that can still be pressed, and the photo's bytes.
      expect(second.messages(4242).map((m) => m.message_id)).toEqual([
        sent.message_id,
        photo.message_id,
        photo.message_id + 2,
      ]);
      expect(() => second.pressButton(4242, sent.message_id, 'posted:1')).not.toThrow();
      const fileId = photo.photo.at(-1)!.file_id;
      const file = await again.api.getFile(fileId);
      const bytes = await fetch(`${second.url}/file/bot${second.token}/${file.file_path}`);
      expect(Buffer.from(await bytes.arrayBuffer()).equals(encodePng(64, 48, 3))).toBe(true);
      expect(await again.api.sendPhoto(4242, fileId)).toMatchObject({ chat: { id: 4242 } }); // the file_id still works
      const inbox = await (await fetch(`${second.url}/`)).text();
      expect(inbox).toContain('ana');
    } finally {
      await second.close();
    }
  });

  it('sets an unreadable state file aside and starts empty', async () => {
    const stateFile = join(dir, 'broken', 'stripe.json');
    await startStripeEmulator({ stateFile }).then((e) => e.close());
    writeFileSync(stateFile, '{"version":1,"state":{"customers":[');
    const warnings: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      warnings.push(String(chunk));
      return true;
    });
    let emu;
    try {
      emu = await startStripeEmulator({ stateFile });
    } finally {
      stderr.mockRestore();
    }
    await emu.close();
    expect(warnings.join('')).toMatch(/stripe\.json is not valid JSON; it was moved to .*unreadable/);
    expect(readdirSync(join(dir, 'broken')).some((name) => name.startsWith('stripe.json.unreadable-'))).toBe(true);
  });
});

function takePort(): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ port, release: () => new Promise((r) => server.close(() => r())) });
    });
    server.once('error', reject);
  });
}

function cli(args: string[]) {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const urls = until('the CLI to print its URLs', () => stdout.includes('\n') && stdout, 10_000).then(
    (line) => JSON.parse(line.split('\n')[0]!) as Record<string, string>,
  );
  urls.catch(() => undefined);
  return { child, urls, exited, stderr: () => stderr };
}

describe('emulators CLI: --state-dir and --port-fallback', () => {
  it('keeps a Stripe customer and a Telegram chat across a restart of the process', async () => {
    const stateDir = join(dir, 'cli');
    const first = cli(['--state-dir', stateDir]);
    const urls = await first.urls;
    const customer = await stripeFor(urls.stripe!).customers.create({ email: 'cli@example.com' });
    const token = '123456789:AAEmulatorToken-postaify-local-000000';
    await fetch(`${urls.telegram}/__control/users/777/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '/start abc' }),
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(readdirSync(stateDir).sort()).toEqual(['stripe.json', 'telegram.json']);

    const second = cli(['--state-dir', stateDir]);
    try {
      const again = await second.urls;
      expect(await stripeFor(again.stripe!).customers.retrieve(customer.id)).toMatchObject({ id: customer.id });
      const send = await fetch(`${again.telegram}/bot${token}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: 777, text: 'hello again' }),
      });
      expect(send.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('falls back to a free port with a warning when a port is taken, and fails without --port-fallback', async () => {
    const taken = await takePort();
    try {
      const strict = cli(['--stripe-port', String(taken.port)]);
      expect(await strict.exited).toBe(1);
      expect(strict.stderr()).toMatch(/EADDRINUSE.*--port-fallback/);

      const lenient = cli(['--stripe-port', String(taken.port), '--port-fallback']);
      const urls = await lenient.urls;
      expect(urls.stripe).not.toBe(`http://127.0.0.1:${taken.port}`);
      expect(lenient.stderr()).toBe(
        `emulators: warning: a port is taken (by another program, or another stack): Stripe ${taken.port} -> ${new URL(urls.stripe!).port}; links handed out before (Stripe checkout and portal pages, the Telegram inbox) point at the old ports\n`,
      );
      lenient.child.kill('SIGTERM');
      expect(await lenient.exited).toBe(0);
    } finally {
      await taken.release();
    }
  });
});
