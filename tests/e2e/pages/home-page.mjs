// The home dashboard as a person uses it: rooms, cards by device name, their switches and sliders.
export class HomePage {
  constructor(page) {
    this.page = page;
    this.cards = page.locator('article.card');
  }

  async open(url) {
    await this.page.goto(url);
  }

  /** The card of the device called `name`. */
  card(name) {
    return this.page.getByRole('article', { name, exact: true });
  }

  /** Waits until at least `count` device cards are shown. */
  async waitForCards(count, { timeout = 30_000 } = {}) {
    await this.page.waitForFunction((n) => document.querySelectorAll('article.card').length >= n, count, { timeout });
  }

  room(name) {
    return this.page.getByRole('region', { name, exact: true });
  }

  /** The on/off switch of the card called `name` (its first, for a device with several). */
  toggle(name) {
    return this.card(name).getByRole('switch').first();
  }

  slider(card, label) {
    return card.getByRole('slider', { name: label });
  }

  /** Waits until nothing on the card waits for its device any more. */
  async waitUntilConfirmed(card, { timeout = 15_000 } = {}) {
    await card.locator('.awaiting').first().waitFor({ state: 'detached', timeout });
  }

  async openDetail(name) {
    await this.card(name).getByRole('button', { name: `${name} details` }).click();
    const sheet = this.page.getByRole('dialog');
    await sheet.waitFor();
    return sheet;
  }
}
