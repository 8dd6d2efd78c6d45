#!/usr/bin/env node
/* global window, document, MutationObserver -- the functions passed to page.evaluate run in the page */
// `npm run bench:frontend`: the web app on its production server (`next start`, started by the
// stack as `npm start` does), measured in headless Chromium. For each page, with an empty cache:
// the JavaScript transferred on first load (compressed bytes on the wire; target <= 200 kB) and
// the largest contentful paint (target <= 1.0 s on this machine). Then the time from clicking
// Generate in the studio to the first progress update on the page (target <= 300 ms, with the
// local emulators). Uses its own data folder and ports; stops everything it started.
import { rmSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { freePort, makeDataDir, percentile, runBenchmark, startStack, stopStack, waitUntil } from './lib.mjs';

const RUNS = Number(process.env.BENCH_FRONTEND_RUNS ?? 3);
const GENERATE_RUNS = Number(process.env.BENCH_GENERATE_RUNS ?? 10);
const ARGS = [
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const dataDir = makeDataDir('postaify-bench-frontend-');
let stack;
let browser;
/** The API's origin, to tell its calls among a page's resources. */
let API_ORIGIN = '';

/** Records the largest contentful paint of the page (ms since navigation start). */
const LCP_SCRIPT = `new PerformanceObserver((list) => {
  const entries = list.getEntries();
  window.__lcp = entries[entries.length - 1].startTime;
}).observe({ type: 'largest-contentful-paint', buffered: true });`;

async function measurePage(url, session) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.addInitScript(LCP_SCRIPT);
  if (session) await context.addCookies([sessionCookie(session, url)]);
  const page = await context.newPage();
  // A page whose server HTML the browser cannot hydrate as it is (React's error 418 and kin) is
  // rendered again in the browser: count those, since they cost the time this page measures.
  let hydrationErrors = 0;
  page.on('console', (message) => {
    if (message.type() === 'error' && /hydrat|#41[89]|#42[35]/i.test(message.text())) hydrationErrors++;
  });
  page.on('pageerror', (error) => {
    if (/hydrat|#41[89]|#42[35]/i.test(error.message)) hydrationErrors++;
  });
  const scripts = [];
  page.on('requestfinished', (request) => {
    if (request.resourceType() === 'script') scripts.push(request);
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForLoadState('networkidle');
  // The network can be idle before the page has asked for its data (while it hydrates): wait
  // until no loading placeholder is left, so that LCP is the page with its data painted.
  await page
    .waitForFunction(() => document.querySelector('.animate-pulse') === null, null, { timeout: 10_000 })
    .catch(() => undefined);
  await page.waitForLoadState('networkidle');
  // LCP is final once the page has had its data and painted it: wait for an entry, then a moment.
  await page.waitForFunction(() => window.__lcp !== undefined, null, { timeout: 10_000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  const lcp = await page.evaluate(() => window.__lcp ?? NaN);
  // Where the time before LCP went: when the page's scripts were all in, and when its first API
  // call started and its last one ended (ms since navigation start; NaN: no API call).
  const timeline = await page.evaluate((apiOrigin) => {
    const resources = performance.getEntriesByType('resource');
    const scripts = resources.filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    const calls = resources.filter((r) => r.name.startsWith(`${apiOrigin}/`));
    const max = (xs) => (xs.length ? Math.max(...xs) : NaN);
    return {
      scriptsEnd: max(scripts.map((r) => r.responseEnd)),
      apiStart: calls.length ? Math.min(...calls.map((r) => r.startTime)) : NaN,
      apiEnd: max(calls.map((r) => r.responseEnd)),
    };
  }, API_ORIGIN);
  let bytes = 0;
  for (const r of scripts) bytes += (await r.sizes()).responseBodySize;
  await context.close();
  return { bytes, lcp, hydrationErrors, ...timeline };
}

/** As the local sign-in leaves it: the session cookie (`<expiry ms>~<token>`, lib/auth/local-session.ts). */
function sessionCookie(session, url) {
  return {
    name: 'postaify.session',
    value: `${Date.parse(session.expiresAt)}~${session.token}`,
    url: new URL(url).origin,
  };
}

async function signIn(api, email) {
  const res = await fetch(`${api}/api/v1/dev/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Bench' }),
  });
  if (res.status !== 201) throw new Error(`sign-in answered ${res.status}`);
  return res.json();
}

async function generateLatency(app, session) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.addCookies([sessionCookie(session, app)]);
  const page = await context.newPage();
  await page.goto(`${app}/create`);
  const samples = [];
  for (let i = 0; i < GENERATE_RUNS; i++) {
    await page
      .getByLabel('Transcript or notes')
      .fill(`Run ${i}: we opened a second bakery in Leipzig and sold out by ten.`);
    await page.getByLabel('Number of posts').fill('1');
    await page.getByRole('button', { name: 'Generate' }).waitFor();
    // In the page: the click's time, then the first time the bar shows progress above zero.
    await page.evaluate(() => {
      window.__clicked = undefined;
      window.__progress = undefined;
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Generate');
      button.addEventListener('click', () => (window.__clicked = performance.now()), { once: true, capture: true });
      const observer = new MutationObserver(() => {
        const bar = document.querySelector('[role=progressbar]');
        if (bar && Number(bar.getAttribute('aria-valuenow')) > 0 && window.__clicked !== undefined) {
          window.__progress = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.waitForFunction(() => window.__progress !== undefined, null, { timeout: 30_000 });
    samples.push(await page.evaluate(() => window.__progress - window.__clicked));
    await page.getByRole('link', { name: /Open draft 1/ }).waitFor({ timeout: 30_000 });
  }
  await context.close();
  return samples.sort((a, b) => a - b);
}

await runBenchmark('frontend', {
  main: async () => {
    const [port, frontendPort] = [await freePort(), await freePort()];
    const api = `http://localhost:${port}`;
    API_ORIGIN = api;
    const app = `http://localhost:${frontendPort}`;
    stack = startStack(dataDir, port, { FRONTEND_PORT: String(frontendPort) });
    await waitUntil('the API to be ready', async () => (await fetch(`${api}/ready`)).ok, stack, 180_000, 250);
    await waitUntil('the web app to answer', async () => (await fetch(`${app}/sign-in`)).ok, stack, 300_000, 250);
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
    const session = await signIn(api, `bench-${Date.now()}@example.com`);
    const post = async (platform, content) => {
      const res = await fetch(`${api}/api/v1/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ platform, content }),
      });
      if (res.status !== 201) throw new Error(`creating a post answered ${res.status}`);
      return (await res.json()).id;
    };
    const linkedin = await post(
      'LINKEDIN',
      'We opened our second bakery in Leipzig today. The sourdough sold out by ten.',
    );
    const x = await post('TWITTER', 'Second bakery, same sourdough. Leipzig, come early.');
    const pages = [
      ['/ (signed out)', '/', null],
      ['/sign-in', '/sign-in', null],
      ['/ (dashboard)', '/', session],
      ['/create', '/create', session],
      ['/posts', '/posts', session],
      ['/posts/:id (LinkedIn)', `/posts/${linkedin}`, session],
      ['/posts/:id (X)', `/posts/${x}`, session],
      ['/calendar', '/calendar', session],
      ['/brands', '/brands', session],
      ['/telegram', '/telegram', session],
      ['/billing', '/billing', session],
      ['/settings', '/settings', session],
    ];
    // One warm-up load per page: the server renders each route once before it is measured.
    for (const [, path, s] of pages) await measurePage(`${app}${path}`, s);
    console.log(`\nweb app on next start, headless Chromium, empty cache, ${RUNS} loads a page (median)`);
    console.log('page                  JS transferred   LCP   scripts in  first API call  API done  hydration errors');
    let worstJs = 0;
    let worstLcp = 0;
    for (const [label, path, s] of pages) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measurePage(`${app}${path}`, s));
      const js = runs.map((r) => r.bytes).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(RUNS / 2)];
      const lcp = median('lcp');
      const ms = (v) => (Number.isNaN(v) ? '-' : `${v.toFixed(0)} ms`);
      worstJs = Math.max(worstJs, js);
      worstLcp = Math.max(worstLcp, lcp);
      console.log(
        `${label.padEnd(22)}${`${(js / 1024).toFixed(1)} kB`.padStart(14)}${`${lcp.toFixed(0)} ms`.padStart(9)}` +
          `${ms(median('scriptsEnd')).padStart(13)}${ms(median('apiStart')).padStart(16)}${ms(median('apiEnd')).padStart(10)}` +
          `${String(runs.reduce((n, r) => n + r.hydrationErrors, 0)).padStart(18)}`,
      );
    }
    console.log(
      `largest JS ${(worstJs / 1024).toFixed(1)} kB (target <= 200 kB): ${worstJs <= 200 * 1024 ? 'met' : 'not met'}`,
    );
    console.log(`slowest LCP ${worstLcp.toFixed(0)} ms (target <= 1000 ms): ${worstLcp <= 1000 ? 'met' : 'not met'}`);
    const latency = await generateLatency(app, session);
    const p50 = percentile(latency, 50);
    console.log(
      `\nGenerate -> first progress update, ${latency.length} runs: p50 ${p50.toFixed(0)} ms, p90 ${percentile(latency, 90).toFixed(0)} ms, max ${latency.at(-1).toFixed(0)} ms (target p50 <= 300 ms): ${p50 <= 300 ? 'met' : 'not met'}`,
    );
  },
  cleanup: async () => {
    await browser?.close().catch(() => undefined);
    if (stack) await stopStack(stack);
    rmSync(dataDir, { recursive: true, force: true });
  },
});
