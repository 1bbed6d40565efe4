// Registers a hardware node (an HP's first step after bonding), from metadata alone:
//   ICN_URL=ws://127.0.0.1:9944 ICN_SURI=//Alice node register-node.mjs \
//     <passport> <cluster> <storage|gpu|cpu> <capacity> <price> <commitmentEras> <endpoint> <plot>
// where <plot> is the JSON line `icn-node agent init` printed (its proof root and plot).
import { connect, signer, send, find } from './lib.mjs';

/// The `(proofRoot, plot)` arguments of `registerNode`/`setEndpoint` from the JSON line
/// `icn-node agent init` prints: `{"proof_root":"0x…","plot":{"nonce":…,"leaf_count":…,…}}`.
export function plotArgs(line) {
  const reg = typeof line === 'string' ? JSON.parse(line) : line;
  return {
    proofRoot: reg.proof_root,
    plot: {
      nonce: reg.plot.nonce,
      leafCount: reg.plot.leaf_count,
      chunkSize: reg.plot.chunk_size,
      treeRoot: reg.plot.tree_root,
    },
  };
}

export async function registerNode(api, account, a) {
  const { proofRoot, plot } = plotArgs(a.plot);
  const tx = api.tx.capacityMarket.registerNode(
    a.passport, a.cluster, a.class, a.capacity, a.price, a.commitmentEras, a.endpoint, proofRoot, plot,
  );
  const events = await send(api, tx, account);
  const registered = find(events, 'capacityMarket', 'NodeRegistered');
  return registered.data.node.toNumber();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [passport, cluster, cls, capacity, price, commitmentEras, endpoint, plot] = process.argv.slice(2);
  const api = await connect();
  try {
    const node = await registerNode(api, signer(), {
      passport, cluster, class: cls[0].toUpperCase() + cls.slice(1), capacity, price, commitmentEras, endpoint, plot,
    });
    console.log(JSON.stringify({ node }));
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } finally {
    await api.disconnect();
  }
}
