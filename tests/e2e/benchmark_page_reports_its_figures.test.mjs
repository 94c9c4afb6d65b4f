import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPhonePage } from './support/browser.mjs';
import { appUrl, brokerWsUrl } from './support/env.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('the benchmark page runs headless and writes its figures as JSON', async () => {
  const { page, problems } = await openPhonePage(browser);
  const url = new URL('bench/', appUrl());
  url.search = new URLSearchParams({
    autorun: '', broker: brokerWsUrl(), messages: '300', round_trips: '30',
  }).toString();
  await page.goto(url.toString());
  const result = page.locator('#bench-result');
  await result.filter({ hasText: '{' }).waitFor({ timeout: 60_000 });
  const report = JSON.parse(await result.textContent());
  assert.equal(report.error, undefined, `the benchmark failed: ${report.error}`);
  assert.equal(report.client, 'lamplighter');
  assert.equal(report.broker, brokerWsUrl());
  for (const run of [report.qos0_receive, report.qos0_publish_receive]) {
    assert.equal(run.sent, 300);
    assert.ok(run.received > 0 && run.received <= 300, JSON.stringify(run));
    assert.ok(run.rate > 0, JSON.stringify(run));
  }
  const trips = report.qos1_round_trip;
  assert.equal(trips.throughput.received, 30, 'every QoS 1 message comes back');
  const { p50, p90, p99, max } = trips.latency_ms;
  assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, JSON.stringify(trips.latency_ms));
  assert.deepEqual(problems, []);
});
