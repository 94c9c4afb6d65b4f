// mosquitto_pub and mosquitto_sub against the test broker: the app's counterpart in each test.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { brokerTcpPort, within } from './env.mjs';

const run = promisify(execFile);

export async function mosquittoPub(topic, payload, { retain = false, qos = 0, port } = {}) {
  const args = ['-h', '127.0.0.1', '-p', String(port ?? brokerTcpPort()), '-t', topic, '-m', payload, '-q', String(qos)];
  if (retain) args.push('-r');
  await run('mosquitto_pub', args);
}

/**
 * Subscribes with mosquitto_sub and resolves once the broker has acknowledged the subscription.
 * `next()` then resolves with the next message as { topic, payload }.
 */
export async function mosquittoSub(filter, { qos = 0, format = 'MSG %t %p', port } = {}) {
  // -d prints the SUBACK, so we know when the subscription is in place; stdbuf makes
  // mosquitto_sub write each line at once rather than when its pipe buffer fills.
  const child = spawn('stdbuf', [
    '-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', String(port ?? brokerTcpPort()), '-t', filter, '-q', String(qos),
    '-d', '-F', format,
  ]);
  const messages = [];
  const waiters = [];
  let buffered = '';
  let subscribed;
  const subscribedPromise = new Promise((resolve, reject) => {
    subscribed = resolve;
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`mosquitto_sub exited with ${code}`)));
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.includes('received SUBACK')) subscribed();
      const match = /^MSG (\S+) (.*)$/.exec(line);
      if (match) {
        const message = { topic: match[1], payload: match[2] };
        const waiter = waiters.shift();
        if (waiter) waiter(message);
        else messages.push(message);
      }
    }
  });
  await within(20, `mosquitto_sub's subscription to ${filter}`, subscribedPromise);
  return {
    /** The next message, or an error if none comes within 20 s. */
    next() {
      const message = messages.shift();
      if (message) return Promise.resolve(message);
      return within(20, `a message on ${filter}`, new Promise((resolve) => waiters.push(resolve)));
    },
    stop() {
      child.kill();
    },
  };
}
