//! `cargo fuzz run runtime`: sequences of protocol calls, oracle reports and blocks on the
//! native runtime, every block checked (see `icn_fuzz`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|steps: Vec<icn_fuzz::Step>| icn_fuzz::run(steps));
