// Requests capacity as an SP (quote first through the runtime API, then the request):
//   ICN_URL=… ICN_SURI=//Bob node request-capacity.mjs <cluster> <storage|gpu|cpu> <amount> <duration> <maxPrice>
import { connect, signer, send } from './lib.mjs';

export async function requestCapacity(api, account, a) {
  const preferences = { price: 1_000_000_000, reliability: 0, commitment: 0 };
  // Runtime APIs are in the metadata too: `api.call.<api>.<method>`.
  const quote = await api.call.capacityMarketApi.quote(a.cluster, a.class, a.amount, a.duration, a.maxPrice, preferences);
  const tx = api.tx.capacityMarket.requestCapacity(a.cluster, a.class, a.amount, a.duration, a.maxPrice, preferences, false);
  const events = await send(api, tx, account);
  const leases = events
    .filter((e) => e.section === 'capacityMarket' && e.method === 'LeaseCreated')
    .map((e) => e.data.lease.toNumber());
  return { quote: quote.toJSON(), leases };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cluster, cls, amount, duration, maxPrice] = process.argv.slice(2);
  const api = await connect();
  try {
    const out = await requestCapacity(api, signer(), {
      cluster, class: cls[0].toUpperCase() + cls.slice(1), amount, duration, maxPrice,
    });
    console.log(JSON.stringify(out));
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } finally {
    await api.disconnect();
  }
}
