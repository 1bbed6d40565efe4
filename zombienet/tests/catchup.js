// A restarted validator catches up: its best and finalized blocks reach what alice had finalized
// when the check started, and it keeps following.
"use strict";

const { finalizedNumber, waitFor, log } = require("./lib.js");

async function run(nodeName, networkInfo) {
  const alice = await zombie.connect(networkInfo.nodesByName.alice.wsUri);
  const node = await zombie.connect(networkInfo.nodesByName[nodeName].wsUri);
  try {
    const target = await finalizedNumber(alice);
    await waitFor(`${nodeName} to finalize #${target}`, 240, async () => (await finalizedNumber(node)) >= target);
    log(`${nodeName} caught up to finalized #${target}`);
    return 1;
  } finally {
    await alice.disconnect();
    await node.disconnect();
  }
}

module.exports = { run };
