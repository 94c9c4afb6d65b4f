import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrlForTestBroker, brokerWsUrl, uniqueTopic } from './support/env.mjs';
import { mosquittoSub } from './support/mosquitto.mjs';
import { startRelay } from './support/relay.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a QoS 1 message published while disconnected survives a reload and is delivered once connected', async () => {
  const wsPort = Number(new URL(brokerWsUrl()).port);
  const relay = await startRelay(wsPort);
  const topic = `${uniqueTopic('reload')}/garage/door/set`;
  const sub = await mosquittoSub(topic, { qos: 1 });
  try {
    const { page, problems } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(`ws://127.0.0.1:${relay.port}`));
    await app.waitUntilConnected();

    await relay.cut();
    await app.waitForState('reconnecting');
    await app.publish(topic, 'CLOSE', { qos: '1' });
    await page.locator('#pending-count', { hasText: '1 waiting' }).waitFor();

    await page.reload();
    // After the reload the message is still there, waiting...
    await page.locator('#pending-count', { hasText: '1 waiting' }).waitFor();
    // ...and goes out once the broker can be reached again.
    await relay.restore();
    await app.retryNow();
    await app.waitUntilConnected();
    const received = await sub.next();
    assert.deepEqual(received, { topic, payload: 'CLOSE' });
    await page.locator('#pending-count').waitFor({ state: 'detached' });
    assert.deepEqual(problems, []);
  } finally {
    sub.stop();
    await relay.stop();
  }
});

test('a QoS 1 message left waiting in a closed tab is delivered when the app is opened again', async () => {
  const relay = await startRelay(Number(new URL(brokerWsUrl()).port));
  const topic = `${uniqueTopic('closed-tab')}/porch/light/set`;
  const sub = await mosquittoSub(topic, { qos: 1 });
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  try {
    const url = appUrlForTestBroker(`ws://127.0.0.1:${relay.port}`);
    const first = await context.newPage();
    const before = new ConsolePage(first);
    await before.open(url);
    await before.waitUntilConnected();
    await relay.cut();
    await before.waitForState('reconnecting');
    await before.publish(topic, 'ON', { qos: '1' });
    await first.locator('#pending-count', { hasText: '1 waiting' }).waitFor();
    await first.close();

    // A new tab of the app, later: it carries on the session the closed tab left.
    const second = await context.newPage();
    const after = new ConsolePage(second);
    await after.open(url);
    await second.locator('#pending-count', { hasText: '1 waiting' }).waitFor();
    await relay.restore();
    await after.retryNow();
    await after.waitUntilConnected();
    assert.deepEqual(await sub.next(), { topic, payload: 'ON' });
  } finally {
    sub.stop();
    await context.close();
    await relay.stop();
  }
});
