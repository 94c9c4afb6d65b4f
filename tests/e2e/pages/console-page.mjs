// The console page as a person uses it: by its labels and buttons.
export class ConsolePage {
  constructor(page) {
    this.page = page;
    this.status = page.locator('#connection-status');
    this.messages = page.locator('#messages > li');
  }

  async open(url) {
    // The home is the first screen; the console has its own address fragment.
    await this.page.goto(url.includes('#') ? url : `${url}#console`);
  }

  async waitUntilConnected() {
    await this.waitForState('connected');
  }

  /** Waits for the connection state: connected, connecting, reconnecting, offline... */
  async waitForState(state, { timeout = 30_000 } = {}) {
    await this.page.locator(`#connection-status[data-state="${state}"]`).waitFor({ timeout });
  }

  async statusText() {
    return this.status.textContent();
  }

  async retryNow() {
    await this.page.getByRole('button', { name: 'Retry now' }).click();
  }

  async subscribe(filter) {
    await this.page.getByLabel('Topic filter').fill(filter);
    await this.page.getByRole('button', { name: 'Subscribe' }).click();
    await this.page
      .locator('#subscriptions > li[data-state="granted"]', { hasText: filter })
      .waitFor();
  }

  async publish(topic, payload, { retain = false, qos = '0' } = {}) {
    await this.page.getByLabel('Topic', { exact: true }).fill(topic);
    await this.page.getByLabel('Payload').fill(payload);
    await this.page.locator('#publish-qos').selectOption(qos);
    await this.page.getByLabel('Retain').setChecked(retain);
    await this.page.getByRole('button', { name: 'Publish' }).click();
  }

  /** The list entry of the first message on `topic`, once it is shown. */
  async messageOn(topic) {
    const item = this.messages.filter({ has: this.page.locator('.topic', { hasText: topic }) }).first();
    await item.waitFor();
    return {
      payload: await item.locator('.payload').textContent(),
      payloadHtml: await item.locator('.payload').innerHTML(),
      time: await item.locator('.time').textContent(),
    };
  }
}
