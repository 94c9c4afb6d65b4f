import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrlForTestBroker, uniqueTopic } from './support/env.mjs';
import { mosquittoSub } from './support/mosquitto.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a message published from the page reaches mosquitto_sub', async () => {
  const { page, problems } = await openPhonePage(browser);
  const app = new ConsolePage(page);
  await app.open(appUrlForTestBroker());
  await app.waitUntilConnected();

  const topic = `${uniqueTopic('outbound')}/living-room/lamp/set`;
  const sub = await mosquittoSub(topic);
  try {
    await app.publish(topic, '{"state":"ON","brightness":128}');
    const received = await sub.next();
    assert.deepEqual(received, { topic, payload: '{"state":"ON","brightness":128}' });
  } finally {
    sub.stop();
  }
  assert.deepEqual(problems, []);
});

test('a topic name with a wildcard is refused with a message and nothing is sent', async () => {
  const { page } = await openPhonePage(browser);
  const app = new ConsolePage(page);
  await app.open(appUrlForTestBroker());
  await app.waitUntilConnected();

  await app.publish('home/+/set', 'ON');
  const error = page.locator('[role="alert"]', { hasText: 'wildcard' });
  await error.waitFor();
});
