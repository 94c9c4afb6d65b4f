// Runs Lamplighter's in-browser benchmark and the same measurements with MQTT.js, in the same
// headless Chromium against the same broker, alternating rounds; prints medians and ratios.
//
//   node tests/bench/compare.mjs <benchmark page url> <broker ws url> [rounds] [messages] [round trips]
//
// MQTT.js runs in `../mqttjs.html` beside the benchmark page, an empty page that
// scripts/bench-browser writes.
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../e2e/support/browser.mjs';

const [appUrl, broker, rounds = '3', messages = '5000', roundTrips = '500'] = process.argv.slice(2);
if (!appUrl || !broker) {
  console.error('usage: node tests/bench/compare.mjs <benchmark page url> <broker ws url> [rounds] [messages] [round trips]');
  process.exit(2);
}
// MQTT.js's own browser bundle, as a web page would load it.
const mqttBundle = fileURLToPath(new URL('../../node_modules/mqtt/dist/mqtt.min.js', import.meta.url));

async function lamplighter(browser) {
  const page = await browser.newPage();
  const url = new URL(appUrl);
  url.search = new URLSearchParams({ autorun: '', broker, messages, round_trips: roundTrips }).toString();
  await page.goto(url.toString());
  const result = page.locator('#bench-result').filter({ hasText: '{' });
  await result.waitFor({ timeout: 300_000 });
  const report = JSON.parse(await result.textContent());
  await page.close();
  if (report.error) throw new Error(`lamplighter: ${report.error}`);
  return report;
}

// The same three measurements, written against MQTT.js's browser bundle.
async function mqttjs(browser) {
  const page = await browser.newPage();
  // A page of the same site without the app's policy (which allows no inline script, how
  // Playwright adds MQTT.js's bundle), served by the same server: Chromium lets only pages
  // from the local network open WebSockets to it.
  await page.goto(new URL('../mqttjs.html', appUrl).toString());
  await page.addScriptTag({ path: mqttBundle });
  const report = await page.evaluate(
    async ({ broker, messages, roundTrips }) => {
      const connect = () =>
        new Promise((resolve, reject) => {
          const client = mqtt.connect(broker, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
          client.once('connect', () => resolve(client));
          client.once('error', reject);
        });
      const subscribe = (client, topic, qos) =>
        new Promise((resolve, reject) => client.subscribe(topic, { qos }, (e) => (e ? reject(e) : resolve())));
      const arrived = async (count, target) => {
        let last = count(), still = 0;
        while (count() < target && still < 200) {
          await new Promise((r) => setTimeout(r, 10));
          if (count() === last) still++; else { last = count(); still = 0; }
        }
      };
      const throughput = (sent, received, ms) => ({ sent, received, seconds: ms / 1000, rate: received / (ms / 1000) });
      const payload = 'x'.repeat(32);
      const id = Math.random().toString(16).slice(2);
      const receiver = await connect();
      const sender = await connect();

      let count = 0;
      const receiveTopic = `mqttjs-bench/${id}/receive`;
      await subscribe(receiver, receiveTopic, 0);
      receiver.on('message', () => count++);
      let start = performance.now();
      for (let i = 0; i < messages; i++) sender.publish(receiveTopic, payload, { qos: 0 });
      await arrived(() => count, messages);
      const qos0_receive = throughput(messages, count, performance.now() - start);

      count = 0;
      const echoTopic = `mqttjs-bench/${id}/echo`;
      await subscribe(sender, echoTopic, 0);
      const onEcho = () => count++;
      sender.on('message', onEcho);
      start = performance.now();
      for (let i = 0; i < messages; i++) sender.publish(echoTopic, payload, { qos: 0 });
      await arrived(() => count, messages);
      const qos0_publish_receive = throughput(messages, count, performance.now() - start);
      sender.off('message', onEcho);

      const qos1Topic = `mqttjs-bench/${id}/qos1`;
      await subscribe(sender, qos1Topic, 1);
      const latencies = [];
      let waiting = null;
      sender.on('message', (topic) => { if (topic === qos1Topic && waiting) waiting(performance.now()); });
      start = performance.now();
      for (let i = 0; i < roundTrips; i++) {
        const sentAt = performance.now();
        const back = await new Promise((resolve) => {
          waiting = resolve;
          sender.publish(qos1Topic, payload, { qos: 1 });
          setTimeout(() => resolve(null), 5000);
        });
        if (back === null) break;
        latencies.push(back - sentAt);
      }
      const elapsed = performance.now() - start;
      const sorted = [...latencies].sort((a, b) => a - b);
      const rank = (p) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
      receiver.end(true);
      sender.end(true);
      return {
        client: 'mqtt.js',
        qos0_receive,
        qos0_publish_receive,
        qos1_round_trip: {
          throughput: throughput(roundTrips, latencies.length, elapsed),
          latency_ms: { p50: rank(50), p90: rank(90), p99: rank(99), max: sorted[sorted.length - 1] },
        },
      };
    },
    { broker, messages: Number(messages), roundTrips: Number(roundTrips) },
  );
  await page.close();
  return report;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const browser = await launchBrowser();
const runs = { lamplighter: [], 'mqtt.js': [] };
try {
  for (let round = 1; round <= Number(rounds); round++) {
    // Alternate which goes first, so neither always meets a warmer broker.
    const order = round % 2 ? [lamplighter, mqttjs] : [mqttjs, lamplighter];
    for (const run of order) {
      const report = await run(browser);
      runs[report.client].push(report);
      console.error(`round ${round}: ${report.client} done`);
    }
  }
} finally {
  await browser.close();
}

const figures = [
  ['QoS 0 receive (msg/s)', (r) => r.qos0_receive.rate],
  ['QoS 0 publish -> receive (msg/s)', (r) => r.qos0_publish_receive.rate],
  ['QoS 1 round trips (msg/s)', (r) => r.qos1_round_trip.throughput.rate],
  ['QoS 1 latency p50 (ms)', (r) => r.qos1_round_trip.latency_ms.p50],
  ['QoS 1 latency p99 (ms)', (r) => r.qos1_round_trip.latency_ms.p99],
];
console.log(`Medians of ${rounds} rounds; ${messages} QoS 0 messages, ${roundTrips} QoS 1 round trips, 32 B payloads.`);
console.log('| measure | Lamplighter | MQTT.js | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, pick] of figures) {
  const ours = median(runs.lamplighter.map(pick));
  const theirs = median(runs['mqtt.js'].map(pick));
  console.log(`| ${name} | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)} |`);
}
