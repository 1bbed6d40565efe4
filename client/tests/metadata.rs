//! The client's generated interface comes from `artifacts/icn.scale`; this test fails when that
//! file is not what the current runtime reports (metadata V15), so a runtime change cannot leave
//! the client silently out of date. Fix: `client/refresh-metadata.sh`, then rebuild.

#[test]
fn metadata_is_current() {
	let fresh = icn_runtime::Runtime::metadata_at_version(15).expect("the runtime serves V15");
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/icn.scale");
	let committed = std::fs::read(&path).expect("client/artifacts/icn.scale exists");
	assert!(
		committed == fresh.to_vec(),
		"client/artifacts/icn.scale is stale ({} bytes committed, {} from the runtime): run \
		 client/refresh-metadata.sh and commit the file",
		committed.len(),
		fresh.len()
	);
}
