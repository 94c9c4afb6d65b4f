// Debian's Chromium, headless, through playwright-core (which never downloads a browser).
import { chromium } from 'playwright-core';

// The network here is closed: without these, Chromium keeps trying to reach Google's services.
const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Root (as in CI) cannot use Chromium's sandbox.
    chromiumSandbox: false,
    args: QUIET_FLAGS,
  });
}

/** A page sized like a phone, with console errors and page crashes collected. */
export async function openPhonePage(browser) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // A broker that cannot be reached is the app's to report, not a fault of the page.
    const unreachable = /WebSocket connection to .* failed/.test(msg.text());
    if (msg.type() === 'error' && !unreachable) problems.push(`console error: ${msg.text()}`);
  });
  return { page, problems };
}
