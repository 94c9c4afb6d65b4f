// The simulated home (crates/home-sim) on a broker of the test's own, and ways to watch and
// poke its devices: what a person's real devices would do, on the broker's TCP side.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { within } from './env.mjs';

const run = promisify(execFile);

function simBinary() {
  const path = process.env.LAMPLIGHTER_HOME_SIM;
  if (!path) throw new Error('LAMPLIGHTER_HOME_SIM is not set: run the end-to-end tests through scripts/test');
  return path;
}

/** Starts home-sim against `broker` (from startBroker) and waits until it says it is up. */
export async function startHomeSim(broker, { delayMs = 150, seed = 7 } = {}) {
  const child = spawn(simBinary(), [
    '--host', '127.0.0.1', '--port', String(broker.tcpPort), '--delay-ms', String(delayMs), '--seed', String(seed),
  ]);
  let log = '';
  let started;
  const startedPromise = new Promise((resolve, reject) => {
    started = resolve;
    child.on('exit', (code) => reject(new Error(`home-sim exited (${code}):\n${log}`)));
  });
  const collect = (chunk) => {
    log += chunk.toString();
    if (/home-sim: \d+ devices/.test(log)) started();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  await within(30, 'home-sim starting', startedPromise);

  const publish = (topic, payload) =>
    run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.tcpPort), '-t', topic, '-m', payload, '-q', '1']);
  return {
    log: () => log,
    /** Pulls a device's plug: its connection drops and the broker publishes its will. */
    unplug: (key) => publish(`home-sim/${key}/unplug`, ''),
    plug: (key) => publish(`home-sim/${key}/plug`, ''),
    /** A change at the device itself: a new reading, a wall switch. */
    set: (key, payload) => publish(`home-sim/${key}/set`, payload),
    stop() {
      child.kill('SIGTERM');
    },
  };
}

/**
 * Watches one topic on `port` with mosquitto_sub; `until(predicate)` resolves with the first
 * payload (already received or still to come) for which `predicate` holds.
 */
export async function watchTopic(port, topic) {
  const child = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', String(port), '-t', topic, '-d', '-F', 'PAYLOAD %p']);
  const payloads = [];
  const waiters = [];
  let buffered = '';
  let subscribed;
  const subscribedPromise = new Promise((resolve) => {
    subscribed = resolve;
  });
  child.stdout.on('data', (chunk) => {
    buffered += chunk.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.includes('received SUBACK')) subscribed();
      if (line.startsWith('PAYLOAD ')) {
        payloads.push(line.slice('PAYLOAD '.length));
        for (const waiter of [...waiters]) waiter();
      }
    }
  });
  await within(20, `mosquitto_sub's subscription to ${topic}`, subscribedPromise);
  return {
    payloads,
    until(what, predicate, seconds = 20) {
      return within(seconds, what, new Promise((resolve) => {
        const check = () => {
          const found = payloads.find(predicate);
          if (found === undefined) return false;
          waiters.splice(waiters.indexOf(check), 1);
          resolve(found);
          return true;
        };
        waiters.push(check);
        check();
      }));
    },
    stop() {
      child.kill();
    },
  };
}
