import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { startBroker } from './support/broker.mjs';
import { appUrlForTestBroker } from './support/env.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('without network the page waits for it instead of retrying, and reconnects when it returns', async () => {
  let broker = await startBroker();
  try {
    const { page } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(broker.wsUrl));
    await app.waitUntilConnected();

    await page.context().setOffline(true);
    await broker.kill();
    await app.waitForState('offline');
    assert.match(await app.statusText(), /No network/);

    broker = await broker.restart();
    await page.context().setOffline(false);
    await app.waitForState('connected', { timeout: 10_000 });
  } finally {
    await broker.kill();
  }
});

test('a WebSocket handshake that never completes ends in a retry, not a hang', async () => {
  // A server that accepts TCP connections and never says a word.
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const { page } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(`ws://127.0.0.1:${silent.address().port}`));
    await app.waitForState('connecting');
    await app.waitForState('reconnecting');
    assert.match(await app.statusText(), /did not complete the WebSocket handshake/);
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
  }
});
