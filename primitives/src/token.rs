// The token's identity, in a file of its own so that the runtime's build script can `include!` it
// for the metadata hash: one definition for the runtime, the chain spec and offline signers.

/// Symbol of the native token (chain spec property `tokenSymbol`).
pub const TOKEN_SYMBOL: &str = "ICNT";
/// Number of decimals of ICNT, as shown by wallets (chain spec property `tokenDecimals`).
pub const TOKEN_DECIMALS: u8 = 18;
