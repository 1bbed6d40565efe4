// The marketplace's figures on a dev chain with many nodes (docs/performance.md): first
// contentful paint, the time to a full node table, and the RPC requests the page sends per block
// once it is loaded (it must not send one per node per block). Headless Debian Chromium.
//   ICN_URL=ws://127.0.0.1:9944 node bench/figures.mjs <nodes expected> [blocks to watch]
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const rpc = process.env.ICN_URL ?? 'ws://127.0.0.1:9944';
const expected = Number(process.argv[2] ?? 1000);
const watch = Number(process.argv[3] ?? 5);

/// The chain's best block, asked over HTTP JSON-RPC (the node serves both on one port).
async function best() {
  const res = await fetch(rpc.replace(/^ws/, 'http'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'chain_getHeader', params: [] }),
  });
  return parseInt((await res.json()).result.number, 16);
}

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
    // Steady state: requests sent while `watch` new blocks pass, counted from the first new head
    // after the page has caught up with the chain (its indexer first reads the recent history, and
    // the head it shows runs through those blocks quickly).
    const shown = (b) => page.waitForFunction((n) => Number(document.getElementById('head').dataset.block) >= n, b, { timeout: 120_000, polling: 50 });
    const from = (await best()) + 1;
    await shown(from);
    const before = sent;
    await shown(from + watch);
    const perBlock = (sent - before) / watch;
    results.push({ run, fcpMs: Math.round(timing.fcp), fullTableMs: Math.round(timing.table), requestsPerBlock: perBlock, rows: expected });
    await page.close();
  }
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
  server.close();
}
