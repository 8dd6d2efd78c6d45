// Browser tests: Debian's Chromium (Playwright cannot download its own browsers here) driving the
// whole system on its zero-config default, started once by e2e/global-setup.ts exactly as
// `npm start` starts it (embedded Postgres, local Redis, the emulators, web, worker, web app).
import { defineConfig, devices } from '@playwright/test';

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  // One system under test on 2 cores: one browser at a time keeps timings honest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list'], ['./e2e/summary-reporter.ts']] : [['list'], ['./e2e/summary-reporter.ts']],
  outputDir: '../.data/e2e-results',
  use: {
    baseURL: process.env.E2E_APP_URL,
    launchOptions: chromium,
    timezoneId: 'Asia/Kolkata',
    locale: 'en-GB',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: 'desktop',
      use: { ...devices['Desktop Chrome'], launchOptions: chromium, viewport: { width: 1280, height: 860 } },
      testIgnore: /screenshots\.spec/,
    },
    {
      name: 'screenshots',
      testMatch: /screenshots\.spec\.ts/,
      use: { launchOptions: chromium },
    },
  ],
});
