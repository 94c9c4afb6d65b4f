import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrlForTestBroker, brokerWsUrl, uniqueTopic, within } from './support/env.mjs';
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

test('publishing faster than the link carries is refused with a message, and what was accepted still arrives', async () => {
  const relay = await startRelay(Number(new URL(brokerWsUrl()).port));
  const topic = `${uniqueTopic('backpressure')}/camera/snapshot`;
  const sub = await mosquittoSub(topic, { format: 'MSG %t %l' });
  try {
    const { page } = await openPhonePage(browser);
    const app = new ConsolePage(page);
    await app.open(appUrlForTestBroker(`ws://127.0.0.1:${relay.port}`));
    await app.waitUntilConnected();

    relay.pause();
    const payload = 'x'.repeat(256 * 1024);
    await app.publish(topic, payload);
    let accepted = 1;
    const tooFast = page.locator('[role="alert"]', { hasText: 'not keeping up' });
    // The page's send buffer, the kernel's and the app's own backlog fill up within some
    // tens of megabytes; past that, publishing must be refused rather than pile up.
    while (!(await tooFast.isVisible())) {
      assert.ok(accepted < 400, 'publishing was never refused while the link was stalled');
      await page.getByRole('button', { name: 'Publish' }).click();
      // Let the page render the outcome of this click before reading it.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
      if (!(await tooFast.isVisible())) accepted += 1;
    }

    relay.resume();
    let received = 0;
    while (received < accepted) {
      const message = await sub.next();
      assert.equal(message.payload, String(payload.length));
      received += 1;
    }
    assert.equal(received, accepted);
    await within(20, 'the page to stay connected', app.waitUntilConnected());
  } finally {
    sub.stop();
    await relay.stop();
  }
});
