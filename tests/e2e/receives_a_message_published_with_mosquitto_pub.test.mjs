import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrlForTestBroker, outputPath, uniqueTopic } from './support/env.mjs';
import { mosquittoPub } from './support/mosquitto.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a message published with mosquitto_pub appears in the page, as text', async () => {
  const { page, problems } = await openPhonePage(browser);
  const app = new ConsolePage(page);
  await app.open(appUrlForTestBroker());
  await app.waitUntilConnected();

  const base = uniqueTopic('inbound');
  await app.subscribe(`${base}/#`);
  const payload = '21.5 °C <b>not bold</b>';
  await mosquittoPub(`${base}/kitchen/temperature`, payload);

  const shown = await app.messageOn(`${base}/kitchen/temperature`);
  assert.equal(shown.payload, payload);
  assert.ok(!shown.payloadHtml.includes('<b>'), 'the payload must be rendered as text, not HTML');
  assert.match(shown.time, /^\d\d:\d\d:\d\d$/);
  await page.screenshot({ path: outputPath('console-with-received-message.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test('a retained message is shown when the page subscribes after it was published', async () => {
  const { page, problems } = await openPhonePage(browser);
  const app = new ConsolePage(page);
  const topic = `${uniqueTopic('retained')}/hall/light/state`;
  await mosquittoPub(topic, 'ON', { retain: true });

  await app.open(appUrlForTestBroker());
  await app.waitUntilConnected();
  await app.subscribe(topic);

  const shown = await app.messageOn(topic);
  assert.equal(shown.payload, 'ON');
  assert.ok(await page.locator('#messages > li .flags', { hasText: 'retained' }).isVisible());
  // Clear the retained message so the broker's store does not grow across runs.
  await mosquittoPub(topic, '', { retain: true });
  assert.deepEqual(problems, []);
});
