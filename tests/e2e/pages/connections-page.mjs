// The Connections screen: saved profiles, the profile form, import and export.
export class ConnectionsPage {
  constructor(page) {
    this.page = page;
  }

  async open() {
    await this.page.getByRole('button', { name: 'Connections' }).click();
  }

  /** Fills in a new profile; `urls` is a list, tried in order. */
  async createProfile({ name, urls, username, password, remember = false, protocol = '3.1.1' }) {
    await this.page.getByRole('button', { name: 'New profile' }).click();
    await this.page.locator('#profile-name').fill(name);
    await this.page.locator('#profile-urls').fill(urls.join('\n'));
    if (username !== undefined) await this.page.locator('#profile-username').fill(username);
    if (password !== undefined) await this.page.locator('#profile-password').fill(password);
    await this.page.locator('#profile-remember').setChecked(remember);
    await this.page.locator('#profile-protocol').selectOption(protocol);
  }

  async saveAndConnect() {
    await this.page.getByRole('button', { name: 'Save and connect' }).click();
  }

  async save() {
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
  }

  problems() {
    return this.page.locator('#profile-problems > li').allTextContents();
  }

  profileNames() {
    return this.page.locator('#profiles .profile-name').allTextContents();
  }

  async exportJson() {
    await this.page.getByRole('button', { name: 'Export' }).click();
    return this.page.locator('#profiles-json').inputValue();
  }

  async importJson(text) {
    await this.page.locator('#profiles-json').fill(text);
    await this.page.getByRole('button', { name: 'Import' }).click();
  }
}
