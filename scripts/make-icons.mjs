// Renders assets/icon.svg into the PNG icons the web app manifest names (Chromium wants
// raster icons of 192 and 512 px to offer installing). Run after changing the SVG:
//   node scripts/make-icons.mjs
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const svg = await readFile(new URL('../assets/icon.svg', import.meta.url), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  chromiumSandbox: false,
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  const render = async (size, padding, file) => {
    // A maskable icon keeps its drawing inside the middle 80%; the rest is background.
    await page.setViewportSize({ width: size, height: size });
    const inner = size - 2 * padding;
    await page.setContent(
      `<body style="margin:0;background:#1f1f23"><div style="padding:${padding}px;width:${inner}px;height:${inner}px">${svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `)}</div></body>`,
    );
    await page.screenshot({ path: new URL(`../assets/${file}`, import.meta.url).pathname, omitBackground: padding === 0 });
  };
  await render(192, 0, 'icon-192.png');
  await render(512, 0, 'icon-512.png');
  await render(512, 52, 'icon-maskable-512.png');
} finally {
  await browser.close();
}
