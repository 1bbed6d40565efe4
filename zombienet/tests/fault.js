// The SLA fault path on a live network. `stop`: Charlie's hardware agent goes down; his node's
// oracles fail it → Faulty; the grace period (one era) passes → Slashing, and his collateral is
// slashed. `restart`: the agent comes back on the same address → the oracles pass it → Active.
"use strict";

const { waitFor, nodeStatus, icn, stopAgent, startAgent, log } = require("./lib.js");

const NODE = 2; // Charlie's node (setup.js)
const AGENT = 2;

function selfBond(url) {
  return BigInt(icn(url, ["show", "pool", "--hp", "charlie"])[0].collateral.self_bond);
}

async function run(_nodeName, networkInfo, args) {
  const url = networkInfo.nodesByName.alice.wsUri;
  const step = args[0];
  if (step === "stop") {
    if (nodeStatus(url, NODE) !== "Active") throw new Error(`node ${NODE} is not Active`);
    const bond = selfBond(url);
    await stopAgent(AGENT);
    log(`Charlie's agent stopped (self bond ${bond})`);
    await waitFor(`node ${NODE} to become Faulty`, 300, () => nodeStatus(url, NODE) === "Faulty");
    log(`node ${NODE} is Faulty`);
    await waitFor(`node ${NODE} to become Slashing`, 400, () => nodeStatus(url, NODE) === "Slashing");
    log(`node ${NODE} is Slashing`);
    const slashed = await waitFor("Charlie's collateral to be slashed", 300, () => {
      const now = selfBond(url);
      return now < bond ? now : null;
    });
    log(`Charlie's self bond was slashed from ${bond} to ${slashed}`);
    return 1;
  }
  if (step === "restart") {
    await startAgent(AGENT);
    log("Charlie's agent is back");
    await waitFor(`node ${NODE} to recover`, 300, () => nodeStatus(url, NODE) === "Active");
    log(`node ${NODE} is Active again`);
    return 1;
  }
  throw new Error(`fault.js: unknown step ${step}`);
}

module.exports = { run };
