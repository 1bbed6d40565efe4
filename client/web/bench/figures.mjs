// The marketplace's figures on a dev chain with many nodes (docs/performance.md): first
// contentful paint, the time to a full node table, and the RPC requests the page sends per block
// once it is loaded (it must not send one per node per block). Headless Debian Chromium.
//   ICN_URL=ws://127.0.0.1:9944 node bench/figures.mjs <nodes expected> [blocks to watch]
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const rpc = process.env.ICN_URL ?? 'ws://127.0.0.1:9944';
const expected = Number(process.argv[2] ?? 1000);
const watch = Number(process.argv[3] ?? 5);

const server = await serve(0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const results = [];
  for (const run of [1, 2, 3]) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let sent = 0;
    page.on('websocket', (ws) => ws.on('framesent', () => { sent += 1; }));
    await page.goto(`http://127.0.0.1:${server.address().port}/?rpc=${encodeURIComponent(rpc)}#/nodes`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=nodes] tbody tr').length >= n, expected, { timeout: 300_000, polling: 50 });
    const timing = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      table: performance.now(),
    }));
    // Steady state: requests sent while `watch` blocks pass.
    const block = async () => Number(await page.locator('#head').getAttribute('data-block'));
    const from = await block();
    const before = sent;
    await page.waitForFunction((b) => Number(document.getElementById('head').dataset.block) >= b, from + watch, { timeout: 120_000 });
    const perBlock = (sent - before) / watch;
    results.push({ run, fcpMs: Math.round(timing.fcp), fullTableMs: Math.round(timing.table), requestsPerBlock: perBlock, rows: expected });
    await page.close();
  }
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
  server.close();
}
