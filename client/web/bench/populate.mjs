// Fills a dev chain with many storage nodes for the marketplace's figures (docs/performance.md):
// governance (Alice, sudo) mints HardwareProvider passports for four HPs (Charlie, Dave, Eve,
// Ferdie), each bonds and registers its nodes in batches. The plots are claimed, not held (no
// agent serves them, and no oracle is registered, so the nodes stay `Pending`): enough for the
// pages, which read every node whatever its state.
//   ICN_URL=ws://127.0.0.1:9944 node bench/populate.mjs [nodes]   (default 1000)
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex, numberToU8a, stringToU8a, bnToU8a } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

const ICNT = 10n ** 18n;
const BATCH = 125;
const HPS = ['Charlie', 'Dave', 'Eve', 'Ferdie'];

const le = (value, bytes) => bnToU8a(BigInt(value), { bitLength: bytes * 8, isLe: true });

/// `icn_primitives::pos::Plot::bound_root`: blake2_256(0x03 ‖ "icn/pos/v2/root" ‖ seed ‖
/// leaf_count LE32 ‖ chunk_size LE32 ‖ tree_root), seed = blake2_256("icn/pos/v2/seed" ‖ hp ‖
/// passport LE32 ‖ nonce LE64).
export function boundRoot(hp, passport, plot) {
  const seed = blake2AsU8a(u8aConcat(stringToU8a('icn/pos/v2/seed'), hp, le(passport, 4), le(plot.nonce, 8)));
  return blake2AsU8a(u8aConcat(numberToU8a(3, 8), stringToU8a('icn/pos/v2/root'), seed, le(plot.leafCount, 4), le(plot.chunkSize, 4), plot.treeRoot));
}

function send(api, tx, pair) {
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    tx.signAndSend(pair, ({ status, events, dispatchError }) => {
      if (!status.isInBlock) return;
      unsub();
      const failed = events.find(({ event }) => api.events.utility?.BatchInterrupted?.is(event) || api.events.sudo?.Sudid?.is(event) && event.data[0].isErr);
      if (dispatchError || failed) reject(new Error(dispatchError ? dispatchError.toString() : failed.event.data.toString()));
      else resolve(events.map(({ event }) => event));
    }).then((u) => { unsub = u; }, reject);
  });
}

export async function populate(api, total) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const alice = keyring.addFromUri('//Alice');
  const per = Math.ceil(total / HPS.length);
  const hps = HPS.map((name, i) => ({ name, pair: keyring.addFromUri(`//${name}`), count: Math.max(0, Math.min(per, total - i * per)), passports: [] }));
  // Passports: minted by governance, one batch per HP (sequential: one sudo key).
  for (const hp of hps) {
    for (let i = 0; i < hp.count; i += BATCH) {
      const mints = Array.from({ length: Math.min(BATCH, hp.count - i) }, () => api.tx.passports.mint(hp.pair.address, 'HardwareProvider', '0x'));
      const events = await send(api, api.tx.sudo.sudo(api.tx.utility.batchAll(mints)), alice);
      for (const e of events) if (api.events.passports.Minted.is(e)) hp.passports.push(e.data.passport.toNumber());
    }
  }
  // Each HP bonds and registers its nodes, the four at once.
  await Promise.all(hps.filter((hp) => hp.count > 0).map(async (hp) => {
    await send(api, api.tx.collateral.bond(200_000n * ICNT), hp.pair);
    for (let i = 0; i < hp.passports.length; i += BATCH) {
      const calls = hp.passports.slice(i, i + BATCH).map((passport) => {
        const plot = { nonce: 0, leafCount: 1 << 18, chunkSize: 4096, treeRoot: blake2AsU8a(stringToU8a(`${hp.name}/${passport}`)) };
        const root = boundRoot(hp.pair.publicKey, passport, plot);
        const price = (BigInt(passport % 97) + 1n) * 10n ** 15n;
        return api.tx.capacityMarket.registerNode(passport, passport % 2, 'Storage', 1, price, 30, `http://127.0.0.1:1/${passport}`, u8aToHex(root), { ...plot, treeRoot: u8aToHex(plot.treeRoot) });
      });
      await send(api, api.tx.utility.batchAll(calls), hp.pair);
    }
    console.log(`populate: ${hp.name} has ${hp.passports.length} nodes`);
  }));
  return hps.reduce((s, hp) => s + hp.passports.length, 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(process.env.ICN_URL ?? 'ws://127.0.0.1:9944'), noInitWarn: true });
  try {
    const n = await populate(api, Number(process.argv[2] ?? 1000));
    console.log(JSON.stringify({ nodes: n }));
  } finally {
    await api.disconnect();
  }
}
