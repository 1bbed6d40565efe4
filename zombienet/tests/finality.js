// GRANDPA keeps finalizing with 3 of 4 validators. `watch` starts sampling the finalized block
// number of alice, bob and charlie every 2 s (module state: the test runner loads each script
// once, so the samples live on between steps); the next step kills dave for a while
// (`dave: restart after N seconds`); `check` then asserts that finality advanced by several
// blocks on all three while dave was down.
"use strict";

const { finalizedNumber, log } = require("./lib.js");

const WATCHED = ["alice", "bob", "charlie"];
const state = { samples: [], timer: null, apis: [], started: 0 };

async function run(_nodeName, networkInfo, args) {
  const step = args[0];
  if (step === "watch") {
    state.started = Date.now();
    state.apis = await Promise.all(
      WATCHED.map((name) => zombie.connect(networkInfo.nodesByName[name].wsUri)),
    );
    const sample = async () => {
      const numbers = await Promise.all(state.apis.map((api) => finalizedNumber(api).catch(() => null)));
      state.samples.push({ at: Date.now(), numbers });
    };
    await sample();
    state.timer = setInterval(() => void sample(), 2000);
    return 1;
  }
  if (step === "check") {
    const seconds = Number(args[1]);
    clearInterval(state.timer);
    // dave was down from (about) the watch's start for `seconds`; leave 5 s at each end.
    const from = state.started + 5000;
    const to = state.started + (seconds - 5) * 1000;
    const inside = state.samples.filter((s) => s.at >= from && s.at <= to);
    await Promise.all(state.apis.map((api) => api.disconnect()));
    if (inside.length < 2) throw new Error(`too few samples while dave was down: ${inside.length}`);
    const first = inside[0].numbers;
    const last = inside[inside.length - 1].numbers;
    WATCHED.forEach((name, k) => {
      const advanced = (last[k] ?? 0) - (first[k] ?? 0);
      log(`${name} finalized ${advanced} blocks while dave was down (${first[k]} → ${last[k]})`);
      if (!(advanced >= 3)) throw new Error(`${name} finalized only ${advanced} blocks without dave`);
    });
    return 1;
  }
  throw new Error(`finality.js: unknown step ${step}`);
}

module.exports = { run };
