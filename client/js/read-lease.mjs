// Reads a lease from storage (and an SP's leases through the runtime API):
//   ICN_URL=… node read-lease.mjs <leaseId>
import { connect } from './lib.mjs';

export async function readLease(api, id) {
  const lease = await api.query.capacityMarket.leases(id);
  return lease.isSome ? lease.unwrap().toJSON() : null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const api = await connect();
  try {
    console.log(JSON.stringify(await readLease(api, process.argv[2])));
  } finally {
    await api.disconnect();
  }
}
