//! The base weights of this runtime, measured on the benchmark machine by `icn-node benchmark
//! overhead` (`scripts/benchmark-overhead.sh`): an empty block, and a no-op extrinsic
//! (`System.remark`). `configs/system.rs` builds the block limits with them; every pallet's call
//! weights come from its own `weights.rs`.

pub mod block_weights;
pub mod extrinsic_weights;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
