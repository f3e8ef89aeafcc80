import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './tests/e2e/support/browser';

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  // One retry under CI only: a test that passes on its retry is reported as flaky, by name, in
  // npm test's summary (scripts/test.mjs), to be fixed, not forgotten; locally a failure is a failure.
  retries: process.env.CI ? 1 : 0,
  globalSetup: './tests/e2e/global-setup.ts',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-results.json' }]],
  outputDir: 'test-results/e2e',
  use: {
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'browser-host', testDir: 'tests/e2e', testMatch: /.*\.spec\.ts$/ },
    { name: 'electron', testDir: 'tests/e2e-electron', testMatch: /.*\.spec\.ts$/ },
  ],
});
