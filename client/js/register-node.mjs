// Registers a hardware node (an HP's first step after bonding), from metadata alone:
//   ICN_URL=ws://127.0.0.1:9944 ICN_SURI=//Alice node register-node.mjs \
//     <passport> <cluster> <storage|gpu|cpu> <capacity> <price> <commitmentEras> <endpoint> <proofRoot>
import { connect, signer, send, find } from './lib.mjs';

export async function registerNode(api, account, a) {
  const tx = api.tx.capacityMarket.registerNode(
    a.passport, a.cluster, a.class, a.capacity, a.price, a.commitmentEras, a.endpoint, a.proofRoot,
  );
  const events = await send(api, tx, account);
  const registered = find(events, 'capacityMarket', 'NodeRegistered');
  return registered.data.node.toNumber();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [passport, cluster, cls, capacity, price, commitmentEras, endpoint, proofRoot] = process.argv.slice(2);
  const api = await connect();
  try {
    const node = await registerNode(api, signer(), {
      passport, cluster, class: cls[0].toUpperCase() + cls.slice(1), capacity, price, commitmentEras, endpoint, proofRoot,
    });
    console.log(JSON.stringify({ node }));
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } finally {
    await api.disconnect();
  }
}
