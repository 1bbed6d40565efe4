// An SP leases capacity through the `icn` CLI; rounds pass, an era ends, and rewards accrue and
// are paid: node rewards into the HP's pool, the HP's share to the HP, oracle rewards to an oracle.
"use strict";

const { tx, expectEvent, waitFor, icn, log } = require("./lib.js");

function pending(url, who) {
  return icn(url, ["show", "pending-rewards", "--who", who]);
}

async function run(_nodeName, networkInfo) {
  const url = (name) => networkInfo.nodesByName[name].wsUri;

  // Eve, an SP, asks cluster 0 for 1,500 units of storage for 5 eras: more than one node holds,
  // so the market splits it.
  const events = tx(url("charlie"), "//Eve", [
    "sp", "request",
    "--cluster", "0", "--class", "storage",
    "--amount", "1500", "--duration", "5", "--max-price", "1",
  ]);
  expectEvent(events, "CapacityMarket.LeaseCreated", "Eve leases capacity");
  const leases = icn(url("alice"), ["show", "leases", "--sp", "eve"])[0].leases;
  const units = leases.reduce((sum, [, lease]) => sum + Number(lease.units), 0);
  if (units !== 1500) throw new Error(`Eve's leases hold ${units} units: ${JSON.stringify(leases)}`);
  log(`Eve leases 1500 units over ${leases.length} nodes`);

  // An era transition allocates rewards to the Active nodes.
  const accrued = await waitFor("node rewards to accrue", 300, () => {
    const p = pending(url("alice"), "alice")[0]["pending rewards"];
    const amount = p.nodes.length ? BigInt(p.nodes[0][1]) : 0n;
    return amount > 0n ? amount : null;
  });
  log(`Alice's node has ${accrued} pending`);

  expectEvent(tx(url("dave"), "//Ferdie", ["hp", "claim-node-rewards", "0"]), "ClusterRewards.NodeRewardsClaimed", "anyone claims a node's rewards");
  expectEvent(tx(url("alice"), "//Alice", ["hp", "claim"]), "Collateral.RewardsClaimed", "Alice claims her HP rewards");

  // Oracles earned their era budget by reporting.
  await waitFor("Bob's oracle rewards", 300, () => {
    const p = pending(url("bob"), "bob")[0]["pending rewards"];
    return BigInt(p.oracle) > 0n;
  });
  expectEvent(tx(url("bob"), "//Bob", ["oracle", "claim-rewards"]), "ClusterRewards.OracleRewardsClaimed", "Bob claims oracle rewards");
  log("node, HP and oracle rewards paid");
  return 1;
}

module.exports = { run };
