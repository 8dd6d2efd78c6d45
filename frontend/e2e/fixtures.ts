// The browser tests' fixtures: every page records the requests the app makes (anything but the
// app and the API fails the test), and helpers to sign in as a new user or seed data through the
// public API, as any outside client would.
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';
import { toZonedInput } from '../lib/time.ts';

export const APP_URL = process.env.E2E_APP_URL!;
export const API_URL = process.env.E2E_API_URL!;
export const TELEGRAM_URL = process.env.E2E_TELEGRAM_URL!;

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
};

export const test = base.extend<{ foreignRequests: string[] }>({
  // Every test gets the request check, whether it names it or not.
  foreignRequests: [
    async ({ page }, use) => {
      const allowed = new Set([origin(APP_URL), origin(API_URL)]);
      const foreign: string[] = [];
      page.on('request', (request) => {
        // What the app's own pages load or fetch; following a link elsewhere (Stripe Checkout, the
        // Telegram emulator's inbox) is a navigation, and pages of other sites are not the app.
        if (request.isNavigationRequest()) return;
        let from = '';
        try {
          from = origin(request.frame().url());
        } catch {
          return;
        }
        if (from !== origin(APP_URL)) return;
        const url = request.url();
        if (url.startsWith('data:') || url.startsWith('blob:')) return;
        if (!allowed.has(origin(url))) foreign.push(url);
      });
      await use(foreign);
      expect(foreign, 'requests from the web app to hosts other than itself and the API').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

let counter = 0;
export const uniqueEmail = (label: string) =>
  `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}@example.com`;

/** Signs in through the local sign-in form as a new (or returning) user. */
export async function signIn(page: Page, email = uniqueEmail('user'), name = 'Ada Lovelace') {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return email;
}

/** A session token for the same user, for seeding data through the API. */
export async function tokenFor(request: APIRequestContext, email: string) {
  const response = await request.post(`${API_URL}/api/v1/dev/session`, { data: { email, name: 'Ada Lovelace' } });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

export async function createPost(
  request: APIRequestContext,
  token: string,
  body: { platform: string; content: string },
): Promise<{ id: string }> {
  const response = await request.post(`${API_URL}/api/v1/posts`, {
    data: body,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string };
}

/** `2026-12-02T15:04` for an instant in a zone (what a datetime-local field holds). */
export const wallClock = (date: Date, timeZone: string) => toZonedInput(date, timeZone);
