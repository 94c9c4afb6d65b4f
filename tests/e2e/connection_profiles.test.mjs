import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrl, brokerWsUrl, freeClosedPort, outputPath } from './support/env.mjs';
import { ConsolePage } from './pages/console-page.mjs';
import { ConnectionsPage } from './pages/connections-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a profile fails over to its next broker URL, and is used again after a reload', async () => {
  const { page, problems } = await openPhonePage(browser);
  const app = new ConsolePage(page);
  const connections = new ConnectionsPage(page);
  await app.open(appUrl());
  await connections.open();

  const deadUrl = `ws://127.0.0.1:${await freeClosedPort()}`;
  await connections.createProfile({ name: 'Home', urls: [deadUrl, brokerWsUrl()] });
  await connections.saveAndConnect();
  await app.waitUntilConnected();
  assert.match(await app.statusText(), new RegExp(`Connected to ${brokerWsUrl()}`));
  await page.screenshot({ path: outputPath('connections.png'), fullPage: true });

  await page.reload();
  await app.waitUntilConnected();
  await connections.open();
  assert.deepEqual(await connections.profileNames(), ['Home']);
  assert.deepEqual(problems, []);
});

test('an invalid profile is refused with a message for each problem', async () => {
  const { page } = await openPhonePage(browser);
  const connections = new ConnectionsPage(page);
  await page.goto(appUrl());
  await connections.open();
  await connections.createProfile({ name: '', urls: ['mqtt://192.0.2.1:1883'], password: 'secret' });
  await connections.save();
  const shown = await connections.problems();
  assert.ok(shown.some((p) => p.includes('name')), shown.join(' | '));
  assert.ok(shown.some((p) => p.includes('ws:// or wss://')), shown.join(' | '));
  assert.ok(shown.some((p) => p.includes('password only with a user name')), shown.join(' | '));
  assert.deepEqual(await connections.profileNames(), []);
});

test('exported profiles import into another browser, without passwords not remembered', async () => {
  const first = await openPhonePage(browser);
  const source = new ConnectionsPage(first.page);
  await first.page.goto(appUrl());
  await source.open();
  await source.createProfile({ name: 'Kept', urls: [brokerWsUrl()], username: 'me', password: 'kept-pw', remember: true });
  await source.save();
  await source.createProfile({ name: 'Tab only', urls: [brokerWsUrl()], username: 'me', password: 'tab-pw' });
  await source.save();
  const json = await source.exportJson();
  assert.ok(json.includes('kept-pw'));
  assert.ok(!json.includes('tab-pw'));

  const second = await openPhonePage(browser);
  const target = new ConnectionsPage(second.page);
  await second.page.goto(appUrl());
  await target.open();
  await target.importJson(json);
  assert.deepEqual(await target.profileNames(), ['Kept', 'Tab only']);

  await target.importJson('{"not": "profiles"}');
  await second.page.locator('[role="alert"]', { hasText: 'not a Lamplighter profiles file' }).waitFor();
});
