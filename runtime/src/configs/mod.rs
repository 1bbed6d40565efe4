//! Pallet configurations, one module per group. The protocol pallets each get a module here as
//! they land (`passports`, `collateral`, `market`, `oracle`, `rewards`), wired to each other through
//! the traits of `icn-primitives` only.

pub(crate) mod collateral;
mod consensus;
mod governance;
mod market;
mod monetary;
mod oracle;
mod passports;
mod rewards;
mod system;

pub use collateral::COLLATERAL_REWARDS_PALLET_ID;
pub use monetary::{RewardPoolAccount, TreasuryAccount, REWARD_POOL_PALLET_ID, TREASURY_PALLET_ID};
pub use oracle::RecoveryRounds;
pub use system::RuntimeBlockWeights;
