import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { startBroker } from './support/broker.mjs';
import { appUrlForTestBroker, outputPath, uniqueTopic } from './support/env.mjs';
import { mosquittoPub, mosquittoSub } from './support/mosquitto.mjs';
import { ConsolePage } from './pages/console-page.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the page reconnects when the broker comes back, resubscribes, and delivers what it queued meanwhile', async () => {
  let broker = await startBroker();
  try {
    const { page } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(broker.wsUrl));
    await app.waitUntilConnected();
    const topic = `${uniqueTopic('restart')}/porch/motion`;
    await app.subscribe(topic);

    await broker.kill();
    // While it waits to reconnect the page counts down and offers "Retry now". Each attempt
    // leaves that state for a moment (connecting), so both are waited for, not read once.
    await app.waitForState('reconnecting');
    await page.locator('#connection-status', { hasText: /Reconnecting in \d+ s/ }).waitFor();
    await page.getByRole('button', { name: 'Retry now' }).waitFor();
    await page.screenshot({ path: outputPath('reconnecting.png') });
    // Published while the broker is down: queued, shown as waiting, sent after the restart.
    // Retained, so that a subscriber arriving after the page reconnected still sees it.
    const queued = `${topic}/queued`;
    await app.publish(queued, 'while you were away', { qos: '1', retain: true });
    await page.locator('#pending-count', { hasText: '1 waiting' }).waitFor();

    broker = await broker.restart();
    await app.waitUntilConnected();
    await page.locator('#pending-count').waitFor({ state: 'detached' });
    const sub = await mosquittoSub(queued, { port: broker.tcpPort });
    try {
      assert.deepEqual(await sub.next(), { topic: queued, payload: 'while you were away' });
    } finally {
      sub.stop();
    }
    await page.locator('#subscriptions > li[data-state="granted"]', { hasText: topic }).waitFor();
    await mosquittoPub(topic, 'motion detected', { port: broker.tcpPort });
    assert.equal((await app.messageOn(topic)).payload, 'motion detected');
  } finally {
    await broker.kill();
  }
});

test('"Retry now" connects at once instead of waiting out the backoff', async () => {
  let broker = await startBroker();
  try {
    const { page } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(broker.wsUrl));
    await app.waitUntilConnected();
    await broker.kill();
    // Let a few attempts fail so the backoff grows well beyond the time this test waits.
    for (let i = 0; i < 4; i++) {
      await app.waitForState('reconnecting');
      await app.retryNow();
    }
    await app.waitForState('reconnecting');
    broker = await broker.restart();
    await app.retryNow();
    await app.waitForState('connected', { timeout: 5_000 });
  } finally {
    await broker.kill();
  }
});
