// The polkadot.js path against a running dev node (started by the Rust integration test
// `polkadot_js`, which also runs an agent): Alice registers as oracle and HP with polkadot.js,
// her oracle activates the node, Bob requests capacity, the lease is read back. Metadata only.
//   ICN_URL=ws://… ICN_AGENT_URL=http://… ICN_PLOT='{"proof_root":…,"plot":{…}}' node test.mjs
import assert from 'node:assert/strict';
import { u8aToHex } from '@polkadot/util';
import { connect, signer, send, find } from './lib.mjs';
import { registerNode } from './register-node.mjs';
import { requestCapacity } from './request-capacity.mjs';
import { readLease } from './read-lease.mjs';

const api = await connect();
const alice = signer('//Alice');
const bob = signer('//Bob');
const step = (what) => console.log(`polkadot.js: ${what}`);
try {
  // Balances display as ICNT: the chain spec's properties.
  const props = await api.rpc.system.properties();
  assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'ICNT');
  assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 18);

  // Oracle registration: the key's proof of possession over SCALE ("icn/oracle-key", account).
  const message = api.createType('(Bytes, AccountId32)', ['icn/oracle-key', alice.address]).toU8a();
  const proof = alice.sign(message);
  let events = await send(api, api.tx.slaOracle.registerOracle(1, u8aToHex(alice.publicKey), u8aToHex(proof)), alice);
  assert.ok(find(events, 'slaOracle', 'OracleRegistered'));
  step('oracle registered');

  events = await send(api, api.tx.collateral.bond(20_000n * 10n ** 18n), alice);
  assert.ok(find(events, 'collateral', 'Bonded'));
  const node = await registerNode(api, alice, {
    passport: 0, cluster: 0, class: 'Storage', capacity: 1024, price: 10n ** 16n, commitmentEras: 30,
    endpoint: process.env.ICN_AGENT_URL, plot: process.env.ICN_PLOT,
  });
  step(`node ${node} registered`);

  // A pallet error comes back with its name and docs from the metadata.
  await assert.rejects(
    registerNode(api, alice, { passport: 0, cluster: 0, class: 'Storage', capacity: 0, price: 1, commitmentEras: 30,
      endpoint: process.env.ICN_AGENT_URL, plot: process.env.ICN_PLOT }),
    /capacityMarket\.ZeroCapacity: Capacity must be above zero\./,
  );

  // The oracle's off-chain worker activates the node within a round or two.
  const deadline = Date.now() + 180_000;
  for (;;) {
    const info = await api.call.capacityMarketApi.node(node);
    if (info.isSome && info.unwrap().status.isActive) break;
    assert.ok(Date.now() < deadline, 'the node did not become Active');
    await new Promise((r) => setTimeout(r, 3000));
  }
  step('node active');

  const { quote, leases } = await requestCapacity(api, bob, {
    cluster: 0, class: 'Storage', amount: 100, duration: 5, maxPrice: 10n ** 18n,
  });
  assert.equal(quote.ok.allocated, 100);
  assert.equal(leases.length, 1);
  const lease = await readLease(api, leases[0]);
  assert.equal(lease.node, node);
  assert.equal(lease.units, 100);
  assert.equal(lease.sp, bob.address);
  const viaApi = await api.call.capacityMarketApi.leasesOf(bob.address);
  assert.equal(viaApi.length, 1);
  step(`lease ${leases[0]} read back`);
  const rates = await api.call.rewardsApi.clusterRates(0);
  assert.equal(rates.length, 3);
  console.log('polkadot.js: all checks passed');
} finally {
  await api.disconnect();
}
