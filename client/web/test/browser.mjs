// The marketplace in a real browser (Debian's Chromium, headless, driven by playwright-core)
// against a real dev chain with an agent: started by the Rust integration test
// `web_marketplace`, which passes
//   ICN_URL (the node's RPC), ICN_AGENT_URL and ICN_PLOT (the agent and its plot),
//   ICN_AGENT_PID (so this test can stop the agent), CHROMIUM (default /usr/bin/chromium),
//   ICN_SCREENSHOTS (optional: a directory for a screenshot of each page).
// Alice registers as oracle and HP with a node (polkadot.js, client/js), her oracle activates it;
// then the page is checked against the chain over RPC: the network page's free capacity, the
// quote box against `CapacityMarketApi.quote`, a request submitted as a dev account creates the
// lease on chain, a bad input shows the pallet error and its doc, the node table's filters,
// the node shows `Faulty` with its failure reason once its agent is stopped, and after the
// faulty era the lease's compensation due, which the page's Settle button gets back exactly.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { u8aToHex } from '@polkadot/util';
import { chromium } from 'playwright-core';
import { connect, signer, send, find } from '../../js/lib.mjs';
import { registerNode } from '../../js/register-node.mjs';
import { serve } from '../serve.mjs';

const step = (what) => console.log(`web: ${what}`);
const rpcUrl = process.env.ICN_URL ?? 'ws://127.0.0.1:9944';
const shots = process.env.ICN_SCREENSHOTS;
const ICNT = 10n ** 18n;

async function until(what, check, timeoutMs = 120_000, everyMs = 1_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const api = await connect(rpcUrl);
const alice = signer('//Alice');
const bob = signer('//Bob');
let browser;
let server;
try {
  // Alice: oracle (her key is in the node's keystore) and HP with one storage node.
  const message = api.createType('(Bytes, AccountId32)', ['icn/oracle-key', alice.address]).toU8a();
  let events = await send(api, api.tx.slaOracle.registerOracle(1, u8aToHex(alice.publicKey), u8aToHex(alice.sign(message))), alice);
  assert.ok(find(events, 'slaOracle', 'OracleRegistered'));
  events = await send(api, api.tx.collateral.bond(20_000n * ICNT), alice);
  assert.ok(find(events, 'collateral', 'Bonded'));
  const node = await registerNode(api, alice, {
    passport: 0, cluster: 0, class: 'Storage', capacity: 1024, price: 10n ** 16n, commitmentEras: 30,
    endpoint: process.env.ICN_AGENT_URL, plot: process.env.ICN_PLOT,
  });
  step(`node ${node} registered`);
  await until('the node to become Active', async () => {
    const info = await api.call.capacityMarketApi.node(node);
    return info.isSome && info.unwrap().status.isActive;
  }, 180_000, 3_000);
  step('node active');

  server = await serve(0);
  const site = `http://127.0.0.1:${server.address().port}/?rpc=${encodeURIComponent(rpcUrl)}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const shot = async (name) => {
    if (!shots) return;
    await mkdir(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };

  // Network: the node's cluster with the free capacity the runtime reports.
  await page.goto(`${site}#/network`);
  const groupRow = page.locator('[data-testid=groups] tr[data-id="0/Storage"]');
  const free = (await api.call.capacityMarketApi.freeCapacity(0, 'Storage')).toNumber();
  assert.equal(free, 1024);
  await until('the network page to show cluster 0 storage', async () => (await groupRow.locator('td[data-col=free]').textContent()) === String(free), 60_000);
  assert.match(await groupRow.locator('td[data-col=nodes]').textContent(), /1 Active/);
  assert.match(await groupRow.locator('td[data-col=price]').textContent(), /0\.01 ICNT/);
  step(`network page shows ${free} free units in cluster 0 storage`);
  await shot('network');

  // Nodes: the table lists the node, Active.
  await page.goto(`${site}#/nodes`);
  const nodeRow = page.locator(`[data-testid=nodes] tr[data-id="${node}"]`);
  await until('the node table', async () => (await nodeRow.locator('[data-status]').getAttribute('data-status')) === 'Active', 60_000);
  step('nodes page lists the node as Active');
  await shot('nodes');
  // Its filters: a max price under the node's 0.01 ICNT hides it, one at it shows it again.
  const maxPrice = page.locator('[data-testid=filter-max-price]');
  await maxPrice.fill('0.001');
  await until('the max-price filter to hide the node', async () => (await nodeRow.count()) === 0, 10_000);
  await maxPrice.fill('0.01');
  await until('the max-price filter to show the node', async () => (await nodeRow.count()) === 1, 10_000);
  await maxPrice.fill('');
  step('the node table filters by max price');

  // HPs: Alice with her bond.
  await page.goto(`${site}#/hps`);
  await until('the HP table', async () => (await page.locator(`[data-testid=hps] tr[data-id="${alice.address}"]`).count()) === 1, 60_000);
  assert.match(await page.locator(`[data-testid=hps] tr[data-id="${alice.address}"] td[data-col=bond]`).textContent(), /20,000 ICNT/);
  step('HPs page shows Alice');
  await shot('hps');

  // Quote: the box shows what the runtime API returns for the same request.
  await page.goto(`${site}#/request`);
  await page.selectOption('#account', bob.address);
  await until('the request form', async () => (await page.locator('[data-testid=req-cluster] option').count()) >= 1, 30_000);
  await page.selectOption('[data-testid=req-cluster]', '0');
  await page.selectOption('[data-testid=req-class]', 'Storage');
  await page.fill('[data-testid=req-amount]', '100');
  await page.fill('[data-testid=req-duration]', '5');
  await page.fill('[data-testid=req-maxPrice]', '1');
  const preferences = { price: 600_000_000, reliability: 300_000_000, commitment: 100_000_000 };
  const expected = await until('the runtime quote', async () => {
    const q = await api.call.capacityMarketApi.quote(0, 'Storage', 100, 5, ICNT, preferences);
    return q.isOk ? q.asOk : null;
  });
  const summary = page.locator('[data-testid=quote-summary]');
  await until('the quote box', async () =>
    (await summary.getAttribute('data-allocated')) === String(expected.allocated.toNumber()) &&
    (await summary.getAttribute('data-cost')) === expected.cost.toBigInt().toString(), 30_000);
  assert.equal(expected.allocated.toNumber(), 100);
  step(`quote box shows ${expected.allocated} units for ${expected.cost.toBigInt()} (as the runtime API)`);
  await shot('request');

  // Submitting as the dev account Bob creates the lease on chain.
  await page.click('[data-testid=req-submit]');
  const ok = page.locator('[data-testid=request-ok]');
  await ok.waitFor({ timeout: 60_000 });
  const leaseIds = (await ok.getAttribute('data-leases')).split(',').filter(Boolean).map(Number);
  assert.equal(leaseIds.length, 1);
  const onChain = (await api.call.capacityMarketApi.leasesOf(bob.address)).toArray();
  const lease = onChain.find(([id]) => id.toNumber() === leaseIds[0]);
  assert.ok(lease, `lease ${leaseIds[0]} is on chain`);
  assert.equal(lease[1].node.toNumber(), node);
  assert.equal(lease[1].units.toNumber(), 100);
  assert.equal(lease[1].sp.toString(), bob.address);
  step(`request created lease ${leaseIds[0]} on chain (checked over RPC)`);

  // A bad input: amount 0 shows the pallet error and its doc, in the quote and on submission.
  await page.fill('[data-testid=req-amount]', '0');
  const quoteError = page.locator('[data-testid=quote-error]');
  await quoteError.waitFor({ timeout: 30_000 });
  assert.match(await quoteError.textContent(), /CapacityMarket\.ZeroCapacity: Capacity must be above zero\./);
  await page.click('[data-testid=req-submit]');
  const requestError = page.locator('[data-testid=request-error]');
  await requestError.waitFor({ timeout: 60_000 });
  assert.match(await requestError.textContent(), /CapacityMarket\.ZeroCapacity: Capacity must be above zero\./);
  step('amount 0 shows CapacityMarket.ZeroCapacity and its doc');

  // My leases: Bob's lease with its escrow.
  await page.goto(`${site}#/leases`);
  await until('the lease table', async () => (await page.locator(`[data-testid=leases] tr[data-id="${leaseIds[0]}"]`).count()) === 1, 60_000);
  assert.match(await page.locator('[data-testid=leases-holds]').textContent(), /Escrow held: [1-9]/);
  step('leases page shows the lease and the escrow');
  await shot('leases');

  // The agent stops: the node becomes Faulty, and the page says why.
  process.kill(Number(process.env.ICN_AGENT_PID), 'SIGKILL');
  step('agent stopped');
  await until('the chain to mark the node Faulty', async () => {
    const info = await api.call.capacityMarketApi.node(node);
    return info.isSome && !info.unwrap().status.isActive;
  }, 240_000, 3_000);
  await page.goto(`${site}#/node/${node}`);
  await until('the node page to show Faulty', async () => ['Faulty', 'Slashing'].includes(await page.locator('[data-testid=node-status] [data-status]').getAttribute('data-status')), 60_000);
  const reason = await until('a failure reason', async () => {
    const text = (await page.locator('[data-testid=node-failure]').textContent()).trim();
    return text && text !== '—' ? text : null;
  }, 60_000);
  assert.match(reason, /Unreachable|Timeout|HttpError/);
  assert.match(await page.locator('[data-testid=sla-history]').textContent(), /fail \((Unreachable|Timeout)/);
  step(`node page shows ${await page.locator('[data-testid=node-status]').textContent()} with failure reason ${reason}`);
  await shot('node');

  // My leases once an era has closed with the node faulty: the page shows the compensation due
  // for that era, and its Settle button gives back exactly that (the chain's LeaseSettled event).
  await page.goto(`${site}#/leases`);
  const dueCell = page.locator(`[data-testid=leases] tr[data-id="${leaseIds[0]}"] td[data-col=due] [data-due]`);
  const due = await until('compensation due for a faulty era', async () => {
    const value = BigInt((await dueCell.getAttribute('data-due')) ?? '0');
    return value > 0n ? value : null;
  }, 240_000);
  assert.equal(due, 100n * (ICNT / 100n), 'one faulty era of 100 units at 0.01 ICNT');
  const settled = new Promise((resolve) => {
    let unsubscribe = () => {};
    api.query.system.events((events) => {
      for (const { event } of events) {
        if (api.events.capacityMarket.LeaseSettled.is(event) && event.data.lease.toNumber() === leaseIds[0]) {
          unsubscribe();
          resolve(event.data.compensation.toBigInt());
        }
      }
    }).then((u) => { unsubscribe = u; });
  });
  await page.click(`[data-testid=settle-${leaseIds[0]}]`);
  await until('the settlement', async () => /: done\./.test(await page.locator('[data-testid=lease-message]').textContent()), 60_000);
  assert.equal(await settled, due, 'the settlement compensated what the page said was due');
  step(`leases page showed ${due} due for the faulty era; Settle paid exactly that back (LeaseSettled)`);

  if (shots) {
    // For the screenshots only: let two eras close (dev eras are 20 blocks) so the network page's
    // chart and the node's reliability curve have points, then take those two pages again.
    await until('two eras to close', async () => (await api.rpc.chain.getHeader()).number.toNumber() >= 43, 600_000, 5_000);
    await page.goto(`${site}#/network`);
    await until('the era chart', async () => (await page.locator('[data-testid=chart] .uplot').count()) === 1, 120_000);
    await shot('network');
    await page.goto(`${site}#/node/${node}`);
    await until('the node page', async () => (await page.locator('[data-testid=sla-history] tr').count()) > 3, 60_000);
    await shot('node');
    await page.goto(`${site}#/leases`);
    await until('the lease table', async () => (await page.locator(`[data-testid=leases] tr[data-id="${leaseIds[0]}"]`).count()) === 1, 60_000);
    await shot('leases');
  }

  assert.deepEqual(pageErrors, [], 'no uncaught error in the page');
  console.log('web: all checks passed');
} finally {
  await browser?.close();
  server?.close();
  await api.disconnect();
}
