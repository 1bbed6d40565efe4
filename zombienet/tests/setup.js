// The protocol's actors arrive on a fresh network through the `icn` CLI: the four validators
// register as SLA oracles with the Oracle passports they got at genesis, three of them bond
// collateral and register a storage node in front of a running hardware agent (passports and
// clusters come from the `local` chain spec's genesis), and the oracles' off-chain workers
// challenge the agents until every node is Active.
"use strict";

const { tx, expectEvent, waitFor, nodeStatus, icn, agent, log } = require("./lib.js");

// Genesis passports of the `local` preset: each authority holds a HardwareProvider (2k) and an
// Oracle (2k + 1) passport, in the order Alice, Bob, Charlie, Dave.
const VALIDATORS = ["alice", "bob", "charlie", "dave"];
const HPS = ["alice", "bob", "charlie"];

async function run(_nodeName, networkInfo) {
  const url = (name) => networkInfo.nodesByName[name].wsUri;
  const suri = (name) => `//${name[0].toUpperCase()}${name.slice(1)}`;

  // Each actor talks to its own validator's RPC: transactions travel through the network.
  VALIDATORS.forEach((name, k) => {
    const events = tx(url(name), suri(name), [
      "oracle", "register", "--passport", String(2 * k + 1), "--oracle-suri", suri(name),
    ]);
    expectEvent(events, "SlaOracle.OracleRegistered", `${name} registers as oracle`);
    log(`${name} is an oracle`);
  });

  const nodes = {};
  for (const [k, name] of HPS.entries()) {
    expectEvent(tx(url(name), suri(name), ["hp", "bond", "50000"]), "Collateral.Bonded", `${name} bonds`);
    const a = agent(k);
    const events = tx(url(name), suri(name), [
      "hp", "register-node",
      "--passport", String(2 * k),
      "--cluster", "0",
      "--class", "storage",
      "--capacity", "1024",
      "--price", "0.01",
      "--commitment-eras", "100",
      "--endpoint", a.url,
      "--plot", a.plot,
    ]);
    expectEvent(events, "CapacityMarket.NodeRegistered", `${name} registers a node`);
    const listed = icn(url(name), ["show", "nodes", "--hp", name]);
    if (listed.length !== 1) throw new Error(`${name} should have one node: ${JSON.stringify(listed)}`);
    const id = Number(Object.keys(listed[0])[0].replace("node ", ""));
    nodes[name] = id;
    log(`${name} registered node ${id} in front of ${a.url}`);
  }

  for (const [name, id] of Object.entries(nodes)) {
    await waitFor(`node ${id} (${name}) to become Active`, 300, () => nodeStatus(url("bob"), id) === "Active");
    log(`node ${id} (${name}) is Active`);
  }
  // The expected node ids, for the later checks.
  const expected = { alice: 0, bob: 1, charlie: 2 };
  for (const [name, id] of Object.entries(expected)) {
    if (nodes[name] !== id) throw new Error(`expected ${name}'s node to be ${id}, got ${nodes[name]}`);
  }
  return Object.keys(nodes).length;
}

module.exports = { run };
