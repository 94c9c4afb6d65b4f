import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { outputPath } from './support/env.mjs';
import { ConsolePage } from './pages/console-page.mjs';

const devScript = fileURLToPath(new URL('../../scripts/dev', import.meta.url));

function portIsOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

test('scripts/dev serves a page that connects to its broker, and Ctrl-C stops both', async () => {
  // Preferred ports far from the usual ones, so a developer's running scripts/dev is left alone;
  // scripts/dev moves to free ones if these are taken, and its output says where.
  const dev = spawn(devScript, [], {
    env: {
      ...process.env,
      LAMPLIGHTER_MQTT_PORT: '0',
      LAMPLIGHTER_WS_PORT: '0',
      LAMPLIGHTER_HTTP_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /Lamplighter is running: open (\S+)/.exec(output);
      if (match) resolve(match[1]);
    };
    dev.stdout.on('data', onData);
    dev.stderr.on('data', onData);
    dev.on('exit', (code) => reject(new Error(`scripts/dev exited with ${code}:\n${output}`)));
  });
  const exited = new Promise((resolve) => dev.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const ports = [...output.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(ports.length >= 3, `scripts/dev should print its addresses:\n${output}`);

    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPhonePage(browser);
      const app = new ConsolePage(page);
      await app.open(url);
      await app.waitUntilConnected();
      await page.screenshot({ path: outputPath('dev-script-connected.png') });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }

    dev.kill('SIGINT');
    const { code } = await exited;
    assert.notEqual(code, null, 'scripts/dev should exit by itself after Ctrl-C');
    for (const port of new Set(ports)) {
      assert.equal(await portIsOpen(port), false, `port ${port} is still open after Ctrl-C`);
    }
  } finally {
    // A failure above must not leave scripts/dev (and its broker, home and server) running.
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill('SIGINT');
      await exited;
    }
  }
});
