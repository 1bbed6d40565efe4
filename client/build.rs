//! The client's interface is generated from `artifacts/icn.scale` by the `subxt` macro, which
//! cargo does not know reads that file: without this, refreshing the metadata would leave a
//! stale build in place.

fn main() {
	println!("cargo:rerun-if-changed=artifacts/icn.scale");
}
