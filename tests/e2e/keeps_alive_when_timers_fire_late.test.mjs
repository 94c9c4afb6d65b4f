import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { startBroker } from './support/broker.mjs';
import { appUrl } from './support/env.mjs';
import { ConsolePage } from './pages/console-page.mjs';
import { ConnectionsPage } from './pages/connections-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

// A background tab runs its timers late (Chrome: about once a minute). Here every timer of
// the page fires 3 s late while the keep alive is 4 s: the broker gives up after 6 s of
// silence, so a client that pinged only when its keep alive ran out (at 4 + 3 s) would be
// dropped again and again.
const LATE_BY_MS = 3_000;
const KEEP_ALIVE_S = 4;

test('the connection stays up when every timer fires late', async () => {
  const broker = await startBroker();
  try {
    const { page } = await openPhonePage(browser);
    await page.addInitScript((late) => {
      const setTimeoutOnTime = window.setTimeout.bind(window);
      window.setTimeout = (handler, delay, ...args) => setTimeoutOnTime(handler, (delay ?? 0) + late, ...args);
    }, LATE_BY_MS);
    const app = new ConsolePage(page);
    const connections = new ConnectionsPage(page);
    await app.open(appUrl());
    await connections.open();
    await connections.createProfile({ name: 'Slow timers', urls: [broker.wsUrl] });
    await page.locator('#profile-keep-alive').fill(String(KEEP_ALIVE_S));
    await connections.saveAndConnect();
    await app.waitUntilConnected();

    // Five keep-alive periods with late timers.
    await page.waitForTimeout(5 * KEEP_ALIVE_S * 1000);
    assert.equal(await page.locator('#connection-status').getAttribute('data-state'), 'connected');
    const log = readFileSync(join(broker.dir, 'mosquitto.log'), 'utf8');
    assert.doesNotMatch(log, /exceeded timeout/, 'the broker dropped the page for silence');
    assert.equal((log.match(/New client connected/g) ?? []).length, 1, 'the page had to reconnect');
  } finally {
    await broker.kill();
  }
});
