import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere if needed. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Browser tests need chromium. CI installs it and sets AKKED_REQUIRE_BROWSER=1 so its absence fails
 * there; on a machine without it, `npm test` skips them and says why.
 */
export const browserAvailable = existsSync(CHROMIUM_PATH);
if (!browserAvailable && process.env.AKKED_REQUIRE_BROWSER === '1') {
  throw new Error(`AKKED_REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
}
if (!browserAvailable) console.warn(`browser tests skipped: no chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);

/** Screenshots are test artifacts (not committed). */
export const ARTIFACTS_DIRECTORY = path.resolve(process.cwd(), 'test-artifacts');

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // No background traffic: this machine's network is closed, and tests talk to 127.0.0.1 only.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'],
  });

export type WatchedPage = {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and failed requests seen so far: normal use must leave this empty. */
  problems: string[];
  /** Requests that left 127.0.0.1 (must stay empty: no third-party origin). */
  foreignRequests: string[];
  screenshot(name: string): Promise<void>;
};

export const openPage = async (browser: Browser, options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<WatchedPage> => {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 }, locale: options.locale ?? 'en-US' });
  const page = await context.newPage();
  const problems: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.hostname !== '127.0.0.1') foreignRequests.push(request.url());
  });

  return {
    page,
    context,
    problems,
    foreignRequests,
    screenshot: async (name) => {
      await mkdir(ARTIFACTS_DIRECTORY, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, `${name}.png`), fullPage: true });
      // A small first-screen JPEG as well: the README's screenshots are copied from these.
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, `${name}.jpg`), type: 'jpeg', quality: 60 });
    },
  };
};
