import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { startBroker } from './support/broker.mjs';
import { appUrlForTestBroker, outputPath } from './support/env.mjs';
import { startHomeSim, watchTopic } from './support/home-sim.mjs';
import { mosquittoPub } from './support/mosquitto.mjs';
import { HomePage } from './pages/home-page.mjs';

// A broker and a simulated home of this file's own: the home's retained messages stay off the
// broker the other tests share.
let browser;
let broker;
let sim;
before(async () => {
  broker = await startBroker();
  sim = await startHomeSim(broker);
  browser = await launchBrowser();
});
after(async () => {
  sim?.stop();
  await broker?.kill('SIGTERM');
  await browser?.close();
});

const LAMP = 'Bedroom/Bedside lamp';
const LAMP_TOPIC = 'zigbee2mqtt/Bedroom/Bedside lamp';

async function openHome() {
  const { page, problems } = await openPhonePage(browser);
  const home = new HomePage(page);
  await home.open(appUrlForTestBroker(broker.wsUrl));
  await home.waitForCards(14);
  return { page, problems, home };
}

test('the dashboard shows the simulated home by room, fits a phone, and follows dark mode', async () => {
  const { page, problems, home } = await openHome();
  // Rooms as the conventions name them (Home Assistant's suggested area, Zigbee2MQTT's area);
  // Tasmota and Homie name none, so their devices wait for the user to place them.
  for (const room of ['Bathroom', 'Bedroom', 'Hallway', 'Kitchen', 'Living room']) {
    await home.room(room).waitFor();
  }
  await home.room('Bedroom').getByRole('article', { name: LAMP }).waitFor();
  for (const name of ['Garden sensor', 'Office desk lamp', 'Office plug', 'Kitchen ceiling']) {
    await home.room('Not in a room').getByRole('article', { name }).waitFor();
  }

  const layout = await page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll('button, select, input, a[href]')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.height < 44 || box.width < 44) small.push(`${el.outerHTML.slice(0, 80)} ${box.width}x${box.height}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth, small };
  });
  assert.ok(layout.scrollWidth <= layout.width, `no horizontal scroll: ${layout.scrollWidth} > ${layout.width}`);
  assert.deepEqual(layout.small, [], 'every touch target is at least 44 px');
  await page.screenshot({ path: outputPath('dashboard.png'), fullPage: true });

  await page.emulateMedia({ colorScheme: 'dark' });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `the dark theme has a dark background, not ${background}`);
  await page.screenshot({ path: outputPath('dashboard-dark.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

test("tapping a light's toggle switches the simulated light and the card shows it confirmed", async () => {
  const { problems, home } = await openHome();
  const device = await watchTopic(broker.tcpPort, LAMP_TOPIC);
  try {
    const toggle = home.toggle(LAMP);
    const wasOn = (await toggle.getAttribute('aria-checked')) === 'true';
    const want = wasOn ? 'OFF' : 'ON';
    await toggle.click();
    // At once the switch shows what was asked for...
    assert.equal(await toggle.getAttribute('aria-checked'), String(!wasOn));
    // ...the device does it...
    await device.until(`the lamp reporting ${want}`, (p) => JSON.parse(p).state === want);
    // ...and the card shows it confirmed.
    await home.waitUntilConfirmed(home.card(LAMP));
    assert.equal(await toggle.getAttribute('aria-checked'), String(!wasOn));
  } finally {
    device.stop();
  }
  assert.deepEqual(problems, []);
});

test('a brightness set with the slider reaches the device', async () => {
  const { problems, home } = await openHome();
  const card = home.card(LAMP);
  const device = await watchTopic(broker.tcpPort, LAMP_TOPIC);
  try {
    await home.slider(card, 'Brightness').fill('40');
    // 40% of Zigbee2MQTT's 0..254.
    await device.until('the lamp reporting brightness 102', (p) => JSON.parse(p).brightness === 102);
    await home.waitUntilConfirmed(card);
    assert.equal(await home.slider(card, 'Brightness').inputValue(), '40');
  } finally {
    device.stop();
  }
  assert.deepEqual(problems, []);
});

test('dragging a slider sends about four updates a second, then the final value', async () => {
  const { page, problems, home } = await openHome();
  const commands = await watchTopic(broker.tcpPort, `${LAMP_TOPIC}/set`);
  try {
    const slider = home.slider(home.card(LAMP), 'Brightness');
    // A finger moving for 1.5 s: an input event every 30 ms, then the lift.
    await slider.evaluate(async (input) => {
      for (let value = 10; value <= 60; value += 1) {
        input.value = String(value);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((r) => setTimeout(r, 30));
      }
      input.value = '61';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const last = Math.round(0.61 * 254);
    await commands.until('the final brightness', (p) => JSON.parse(p).brightness === last);
    await page.waitForTimeout(500);
    const sent = commands.payloads.length;
    assert.ok(sent >= 4 && sent <= 10, `a 1.5 s drag sent ${sent} commands`);
    assert.equal(JSON.parse(commands.payloads.at(-1)).brightness, last, 'the final value is sent last');
  } finally {
    commands.stop();
  }
  assert.deepEqual(problems, []);
});

test("a sensor's new value appears on its card", async () => {
  const { problems, home } = await openHome();
  const card = home.card('Bathroom climate');
  await sim.set('bathroom-climate', '{"temperature":23.4}');
  await card.getByText('23.4°C').waitFor();
  assert.equal(await card.locator('svg.sparkline').count() > 0, true);
  assert.deepEqual(problems, []);
});

test('a device that goes away is shown offline, and online again when it returns', async () => {
  const { problems, home } = await openHome();
  const card = home.card('Front door');
  await sim.unplug('front-door');
  await card.getByText('Offline').waitFor();
  assert.match(await card.getAttribute('class'), /offline/);
  await sim.plug('front-door');
  await card.getByText('Offline').waitFor({ state: 'detached', timeout: 30_000 });
  assert.deepEqual(problems, []);
});

test("a light's detail view sets colour temperature, colour and effect", async () => {
  const { page, problems, home } = await openHome();
  const name = 'Living room ceiling';
  const sheet = await home.openDetail(name);
  await sheet.getByRole('slider', { name: 'Colour temperature' }).waitFor();
  await sheet.getByRole('img', { name: 'Colour wheel' }).waitFor();
  await page.screenshot({ path: outputPath('light-detail.png') });

  const state = await watchTopic(broker.tcpPort, 'homeassistant/light/living_room_ceiling/state');
  try {
    await sheet.getByRole('slider', { name: 'Colour temperature' }).fill('2700');
    await state.until('the colour temperature reported', (p) => {
      const s = JSON.parse(p);
      return Math.abs((s.color_temp ?? 0) - 370) <= 2;
    });
    await sheet.getByRole('slider', { name: 'Hue' }).fill('120');
    await state.until('the colour reported', (p) => {
      const c = JSON.parse(p).color;
      return c && Math.abs(c.h - 120) <= 2;
    });
    await sheet.getByRole('combobox').selectOption('candle');
    await state.until('the effect reported', (p) => JSON.parse(p).effect === 'candle');
  } finally {
    state.stop();
  }
  await home.waitUntilConfirmed(sheet);
  await sheet.getByRole('button', { name: 'Close' }).click();
  await sheet.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});

test('a command no device confirms goes back with a message, and a chosen room is kept', async () => {
  const { page, problems, home } = await openHome();
  // A light that announces a state topic but never answers.
  await mosquittoPub(
    'homeassistant/light/e2e_silent/config',
    '{"name":"Silent lamp","unique_id":"e2e_silent","cmd_t":"e2e/silent/set","stat_t":"e2e/silent/state","schema":"json"}',
    { retain: true, port: broker.tcpPort },
  );
  const card = home.card('Silent lamp');
  await home.room('Not in a room').getByRole('article', { name: 'Silent lamp' }).waitFor();
  const toggle = card.getByRole('switch');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await page.getByText('Silent lamp did not confirm turning on').waitFor({ timeout: 15_000 });
  assert.equal(await toggle.getAttribute('aria-checked'), 'false', 'back to what the device reported');

  await card.getByRole('button', { name: 'Room of Silent lamp' }).click();
  await card.getByLabel('Room', { exact: true }).fill('  Porch ');
  await card.getByRole('button', { name: 'Save' }).click();
  await home.room('Porch').getByRole('article', { name: 'Silent lamp' }).waitFor();
  await page.reload();
  await home.room('Porch').getByRole('article', { name: 'Silent lamp' }).waitFor();

  await mosquittoPub('homeassistant/light/e2e_silent/config', '', { retain: true, port: broker.tcpPort });
  await card.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});

test('names from the network are shown as text, never as HTML', async () => {
  const { page, problems, home } = await openHome();
  const name = '<img src=x onerror="window.pwned=1">Lamp';
  await mosquittoPub(
    'homeassistant/switch/e2e_html/config',
    JSON.stringify({ name, unique_id: 'e2e_html', cmd_t: 'e2e/html/set', stat_t: 'e2e/html/state' }),
    { retain: true, port: broker.tcpPort },
  );
  await home.card(name).waitFor();
  assert.equal(await home.card(name).locator('h3').textContent(), name);
  assert.equal(await page.locator('article.card img').count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await mosquittoPub('homeassistant/switch/e2e_html/config', '', { retain: true, port: broker.tcpPort });
  assert.deepEqual(problems, []);
});

test('the installed app opens without a network, from the sub-path it is hosted under', async () => {
  const { page, problems } = await openPhonePage(browser);
  const url = appUrlForTestBroker(broker.wsUrl);
  await page.goto(url);
  assert.match(new URL(page.url()).pathname, /^\/lamplighter\//);

  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp, /sha256-BOOT/);

  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]').href;
    const m = await (await fetch(href)).json();
    const icons = await Promise.all(m.icons.map(async (i) => (await fetch(new URL(i.src, href))).status));
    return { name: m.name, start: new URL(m.start_url, href).pathname, icons };
  });
  assert.equal(manifest.name, 'Lamplighter');
  assert.equal(manifest.start, '/lamplighter/');
  assert.deepEqual(manifest.icons, [200, 200, 200]);

  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first load installs the worker; from the next one on it serves the app shell.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.context().setOffline(true);
  try {
    await page.reload();
    await page.getByRole('heading', { name: 'Lamplighter' }).waitFor();
    await page.getByRole('button', { name: 'Home' }).waitFor();
  } finally {
    await page.context().setOffline(false);
  }
  assert.deepEqual(problems, []);
});
