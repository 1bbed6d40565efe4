//! Bad input on the command line: the node exits non-zero with one clear line.

use crate::support::run_node_command;

fn assert_one_line_error(stderr: &str, expected: &str) {
	let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
	assert_eq!(lines.len(), 1, "expected exactly one line on stderr, got:\n{stderr}");
	assert!(lines[0].starts_with("Error: "), "{stderr}");
	assert!(lines[0].contains(expected), "expected {expected:?} in {stderr:?}");
}

#[test]
fn unknown_chain_name_exits_non_zero_with_one_clear_line() {
	let (status, _, stderr) =
		run_node_command(&["--chain", "no-such-chain", "--tmp", "--rpc-port", "0"]);
	assert!(!status.success());
	assert_eq!(status.code(), Some(1));
	assert_one_line_error(&stderr, "unknown chain `no-such-chain`");
}

#[test]
fn malformed_chain_spec_file_exits_non_zero_with_one_clear_line() {
	let dir = tempfile::tempdir().expect("temp dir");
	let spec = dir.path().join("broken-spec.json");
	std::fs::write(&spec, "{ \"name\": \"ICN\", \"id\": 7, \"genesis\": ").expect("write spec");
	let spec = spec.display().to_string();

	let (status, _, stderr) = run_node_command(&["--chain", &spec, "--tmp", "--rpc-port", "0"]);
	assert!(!status.success());
	assert_one_line_error(&stderr, &format!("invalid chain spec file `{spec}`"));

	// The same file given to a subcommand fails the same way.
	let (status, _, stderr) = run_node_command(&["export-chain-spec", "--chain", &spec]);
	assert!(!status.success());
	assert_one_line_error(&stderr, "invalid chain spec file");
}
