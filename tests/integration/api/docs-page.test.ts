// GET /api/v1/docs in a real browser (headless Chromium): the reference renders the document's
// operations, every request the page makes goes to the API's own origin (no fonts, telemetry,
// agent or proxy from anywhere else), and the page's Content-Security-Policy is never violated.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

interface Visit {
  page: Page;
  requests: string[];
  /** Console errors and warnings, page errors and CSP violations. */
  problems: string[];
  violations: string[];
}

async function visit(path: string): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const visit: Visit = { page, requests: [], problems: [], violations: [] };
  page.on('request', (req) => visit.requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') visit.problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => visit.problems.push(`pageerror: ${err.message}`));
  // The browser's own report of each violation, whatever the console says about it.
  await page.exposeFunction('__cspViolation', (v: string) => visit.violations.push(v));
  await page.addInitScript(() => {
    const w = globalThis as any; // the page's window (the tests compile without the DOM library)
    w.document.addEventListener('securitypolicyviolation', (e: any) =>
      w.__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  const res = await page.goto(`${app.url}${path}`);
  expect(res?.status()).toBe(200);
  return visit;
}

describe('the API reference in a browser', () => {
  it('renders the operations from local files only, within its Content-Security-Policy', async () => {
    const { page, requests, problems, violations } = await visit('/api/v1/docs');
    // Rendered: the guide.
    await page.getByRole('heading', { name: 'Idempotency' }).first().waitFor();
    await expect(page.title()).resolves.toBe('Postaify API reference');
    // The operations render as they are visited (Scalar renders lazily).
    for (const [hash, heading] of [
      ['#tag/posts/POST/api/v1/posts', 'Create a post'],
      ['#tag/telegram/POST/api/v1/telegram/link', 'Link your Telegram chat'],
      ['#tag/billing/POST/api/v1/subscriptions/create-checkout', 'Start a checkout'],
      ['#tag/generation/POST/api/v1/ai/generate', 'Generate posts'],
    ] as const) {
      await page.evaluate((h) => ((globalThis as any).location.hash = h), hash);
      await page.getByRole('heading', { name: heading }).first().waitFor();
    }
    // The request client opens inside the page (no link to Scalar's hosted client).
    await page
      .getByRole('button', { name: /Test Request/ })
      .first()
      .click();
    await page.getByRole('button', { name: /^Send/ }).first().waitFor();
    expect(await page.getByText('Open API Client').count()).toBe(0);
    expect(await page.getByText(/Ask AI/).count()).toBe(0);

    const origin = new URL(app.url).origin;
    const outside = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
    expect(outside).toEqual([]);
    expect(requests).toEqual(
      expect.arrayContaining([
        `${origin}/api/v1/docs`,
        `${origin}/api/v1/openapi.json`,
        expect.stringMatching(new RegExp(`^${origin}/api/v1/docs/assets/scalar-\\d+\\.\\d+\\.\\d+-[0-9a-f]+\\.js$`)),
      ]),
    );
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
