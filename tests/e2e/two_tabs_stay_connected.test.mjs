import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from './support/browser.mjs';
import { appUrlForTestBroker } from './support/env.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const CLIENT_ID_KEY = 'lamplighter.client-id';

test('a duplicated tab takes a client id of its own, and both tabs stay connected', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const first = await context.newPage();
  const app1 = new ConsolePage(first);
  await app1.open(appUrlForTestBroker());
  await app1.waitUntilConnected();
  const firstId = await first.evaluate((key) => sessionStorage.getItem(key), CLIENT_ID_KEY);
  assert.match(firstId, /^lamplighter-/);

  // A duplicated tab starts with a copy of the original's sessionStorage, client id included.
  const second = await context.newPage();
  await second.addInitScript(([key, id]) => sessionStorage.setItem(key, id), [CLIENT_ID_KEY, firstId]);
  const app2 = new ConsolePage(second);
  await app2.open(appUrlForTestBroker());
  await app2.waitUntilConnected();

  // Same id would make the broker drop one connection each time the other connects: give it
  // the time for several such rounds, then both must still be connected, with distinct ids.
  const secondId = await second.evaluate((key) => sessionStorage.getItem(key), CLIENT_ID_KEY);
  assert.notEqual(secondId, firstId);
  await second.waitForTimeout(3_000);
  assert.equal(await first.locator('#connection-status').getAttribute('data-state'), 'connected');
  assert.equal(await second.locator('#connection-status').getAttribute('data-state'), 'connected');
  await context.close();
});
