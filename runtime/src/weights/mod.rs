//! This runtime's weights, all measured on the benchmark machine:
//!
//! * the base weights, by `icn-node benchmark overhead` (`scripts/benchmark-overhead.sh`): an
//!   empty block, and a no-op extrinsic (`System.remark`); `configs/system.rs` builds the block
//!   limits with them;
//! * the FRAME pallets' calls and transaction extensions, by `icn-node benchmark pallet`
//!   (`scripts/benchmark-frame.sh`), in place of upstream's weights from Parity's reference
//!   machine, so that a transfer and a protocol call are priced for the same hardware.
//!
//! Every ICN pallet's call weights come from its own `weights.rs` (`scripts/benchmark-pallets.sh`).

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;
pub mod pallet_utility;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
