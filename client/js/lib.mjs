// Shared helpers: connect with metadata only (no custom `types`), sign and wait for a block,
// turn a failed extrinsic into its pallet error's name and doc comment.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export async function connect(url = process.env.ICN_URL ?? 'ws://127.0.0.1:9944') {
  await cryptoWaitReady();
  const provider = new WsProvider(url, false);
  await provider.connect();
  // Everything — calls, storage, events, errors, runtime APIs — comes from the chain's metadata.
  return ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
}

export function signer(suri = process.env.ICN_SURI ?? '//Alice') {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(suri);
}

/// Signs and submits `tx`, resolves with its events once it is in a block; rejects with
/// `Pallet.Error: docs` if it failed.
export function send(api, tx, account) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    tx.signAndSend(account, ({ status, events, dispatchError }) => {
      if (!status.isInBlock && !status.isFinalized) return;
      unsubscribe();
      if (dispatchError) {
        if (dispatchError.isModule) {
          const meta = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${meta.section}.${meta.name}: ${meta.docs.join(' ')}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
        return;
      }
      resolve(events.map(({ event }) => event));
    }).then((u) => { unsubscribe = u; }, reject);
  });
}

export function find(events, section, method) {
  return events.find((e) => e.section === section && e.method === method);
}
