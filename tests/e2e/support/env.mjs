// Where the test command put things: the served app, the broker, the output folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the end-to-end tests through scripts/test`);
  }
  return value;
}

export const appUrl = () => required('LAMPLIGHTER_URL');
export const brokerWsUrl = () => required('LAMPLIGHTER_TEST_BROKER_WS');
export const brokerTcpPort = () => required('LAMPLIGHTER_TEST_BROKER_TCP_PORT');

/** The app's URL pointed at the test broker, or at `broker` (a ws:// URL). */
export function appUrlForTestBroker(broker = brokerWsUrl()) {
  const url = new URL(appUrl());
  url.searchParams.set('broker', broker);
  return url.toString();
}

/** A file path in the test output folder, for screenshots and logs. */
export function outputPath(name) {
  const dir = join(process.env.LAMPLIGHTER_TEST_OUTPUT ?? 'test-output', 'e2e');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** A topic prefix no other test or run shares. */
export function uniqueTopic(label) {
  return `lamplighter-e2e/${label}/${process.pid}-${Date.now().toString(36)}`;
}

/**
 * Resolves as `promise` does, or fails with "`what` did not happen" after `seconds`: a bound on
 * waiting for something that should happen, so a broken app fails the test instead of hanging.
 */
export function within(seconds, what, promise) {
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** A loopback port with nothing listening on it (free when asked). */
export async function freeClosedPort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
