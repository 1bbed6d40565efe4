// Helpers shared by the zombienet JS checks: run the `icn` CLI against a node, wait for chain
// state, and stop/start the hardware agents that run.sh started beside the network.
//
// Every check is a zombienet `js-script`: `run(nodeName, networkInfo, args)` in the test runner's
// process. Binaries and agent locations come from the environment run.sh exports.
"use strict";

const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const net = require("net");
const path = require("path");

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through zombienet/run.sh`);
  return value;
}

/// Runs `icn --url <url> --json <args>`; returns every stdout line parsed. Throws with the
/// CLI's one-line error on failure.
function icn(url, args) {
  try {
    const out = execFileSync(env("ICN"), ["--url", url, "--json", ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000,
    });
    return out
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
  } catch (e) {
    const stderr = (e.stderr || "").toString().trim();
    throw new Error(`icn ${args.join(" ")} failed: ${stderr || e.message}`);
  }
}

/// A transaction through the CLI (signed by `suri`, waiting for inclusion); returns its events
/// as `Pallet.Event` names.
function tx(url, suri, args) {
  const out = icn(url, ["--suri", suri, ...args]);
  return (out[0].events || []).map((e) => `${e.pallet}.${e.event}`);
}

function expectEvent(events, name, what) {
  if (!events.includes(name)) throw new Error(`${what}: no ${name} in ${events.join(", ")}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/// Polls `probe()` every 3 s until it returns a truthy value (returned) or `seconds` pass.
async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(3000);
  }
}

/// The on-chain view of node `id`.
function nodeInfo(url, id) {
  return icn(url, ["show", "nodes", String(id)])[0][`node ${id}`];
}

function nodeStatus(url, id) {
  const info = nodeInfo(url, id);
  return info ? info.status : null;
}

// ---- hardware agents ------------------------------------------------------------------------

/// Agent `i` as run.sh started it: data dir, listen address, URL, proof root, pid file.
function agent(i) {
  const dir = env(`ICN_AGENT_${i}_DIR`);
  const listen = env(`ICN_AGENT_${i}_LISTEN`);
  return {
    dir,
    listen,
    url: `http://${listen}`,
    // The JSON line `icn-node agent init` printed: proof root and plot, for `--plot`.
    plot: env(`ICN_AGENT_${i}_PLOT`),
    pidFile: path.join(dir, "agent.pid"),
    log: path.join(dir, "agent.log"),
  };
}

/// Stops agent `i` (SIGTERM) and waits until its port refuses connections.
async function stopAgent(i) {
  const a = agent(i);
  const pid = Number(fs.readFileSync(a.pidFile, "utf8").trim());
  process.kill(pid, "SIGTERM");
  await waitFor(`agent ${i} to stop`, 30, async () => !(await listening(a.listen)));
}

/// Starts agent `i` again on the same data dir and address (as the HP would after fixing its
/// machine); detached, its pid in the pid file run.sh cleans up.
async function startAgent(i) {
  const a = agent(i);
  const log = fs.openSync(a.log, "a");
  const child = spawn(env("ICN_NODE"), ["agent", "run", "--data-dir", a.dir, "--listen", a.listen, "--metrics-listen", "127.0.0.1:0"], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  fs.writeFileSync(a.pidFile, String(child.pid));
  await waitFor(`agent ${i} to serve`, 30, () => listening(a.listen));
}

function listening(address) {
  const [host, port] = address.split(":");
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(2000);
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/// Finalized block number at `wsUri` (polkadot.js from the zombie runner's globals).
async function finalizedNumber(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  const header = await api.rpc.chain.getHeader(hash);
  return header.number.toNumber();
}

module.exports = {
  icn,
  tx,
  expectEvent,
  sleep,
  waitFor,
  nodeInfo,
  nodeStatus,
  agent,
  stopAgent,
  startAgent,
  finalizedNumber,
  log: (...args) => console.log("    [icn]", ...args),
};
