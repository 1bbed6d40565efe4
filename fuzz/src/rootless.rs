//! Externalities that compute no storage root: the fuzzer's blocks are never imported, so the
//! root `frame_system::finalize` puts in each header checks nothing here (the trie is
//! polkadot-sdk's, tested there) — and computing it over the overlay was 25–44% of the
//! fuzzer's time (profiled with `perf`, docs/reliability.md). Everything else is the test
//! externalities' own: storage, iteration, transactions, extensions.

use polkadot_sdk::{
	sp_externalities::{Extension, ExtensionStore, Externalities, MultiRemovalResults},
	sp_io::TestExternalities,
	sp_storage::{ChildInfo, StateVersion, TrackedStorageKey},
};
use std::any::{Any, TypeId};

/// `inner` with `storage_root` answering a fixed hash.
struct Rootless<'a>(&'a mut dyn Externalities);

/// Runs `f` on `ext` as `execute_with` does, but no storage root is ever computed.
pub fn execute_with<R>(ext: &mut TestExternalities, f: impl FnOnce() -> R) -> R {
	let mut inner = ext.ext();
	let mut rootless = Rootless(&mut inner);
	polkadot_sdk::sp_externalities::set_and_run_with_externalities(&mut rootless, f)
}

impl ExtensionStore for Rootless<'_> {
	fn extension_by_type_id(&mut self, type_id: TypeId) -> Option<&mut dyn Any> {
		self.0.extension_by_type_id(type_id)
	}
	fn register_extension_with_type_id(
		&mut self,
		type_id: TypeId,
		extension: Box<dyn Extension>,
	) -> Result<(), polkadot_sdk::sp_externalities::Error> {
		self.0.register_extension_with_type_id(type_id, extension)
	}
	fn deregister_extension_by_type_id(
		&mut self,
		type_id: TypeId,
	) -> Result<(), polkadot_sdk::sp_externalities::Error> {
		self.0.deregister_extension_by_type_id(type_id)
	}
}

impl Externalities for Rootless<'_> {
	fn storage_root(&mut self, _: StateVersion) -> Vec<u8> {
		[0u8; 32].to_vec()
	}
	fn child_storage_root(&mut self, _: &ChildInfo, _: StateVersion) -> Vec<u8> {
		[0u8; 32].to_vec()
	}

	fn set_offchain_storage(&mut self, key: &[u8], value: Option<&[u8]>) {
		self.0.set_offchain_storage(key, value)
	}
	fn storage(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.0.storage(key)
	}
	fn storage_hash(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.0.storage_hash(key)
	}
	fn child_storage_hash(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.0.child_storage_hash(child_info, key)
	}
	fn child_storage(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.0.child_storage(child_info, key)
	}
	fn next_storage_key(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.0.next_storage_key(key)
	}
	fn next_child_storage_key(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.0.next_child_storage_key(child_info, key)
	}
	fn kill_child_storage(
		&mut self,
		child_info: &ChildInfo,
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		self.0.kill_child_storage(child_info, maybe_limit, maybe_cursor)
	}
	fn clear_prefix(
		&mut self,
		prefix: &[u8],
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		self.0.clear_prefix(prefix, maybe_limit, maybe_cursor)
	}
	fn clear_child_prefix(
		&mut self,
		child_info: &ChildInfo,
		prefix: &[u8],
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		self.0.clear_child_prefix(child_info, prefix, maybe_limit, maybe_cursor)
	}
	fn place_storage(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
		self.0.place_storage(key, value)
	}
	fn place_child_storage(
		&mut self,
		child_info: &ChildInfo,
		key: Vec<u8>,
		value: Option<Vec<u8>>,
	) {
		self.0.place_child_storage(child_info, key, value)
	}
	fn storage_append(&mut self, key: Vec<u8>, value: Vec<u8>) {
		self.0.storage_append(key, value)
	}
	fn storage_start_transaction(&mut self) {
		self.0.storage_start_transaction()
	}
	fn storage_rollback_transaction(&mut self) -> Result<(), ()> {
		self.0.storage_rollback_transaction()
	}
	fn storage_commit_transaction(&mut self) -> Result<(), ()> {
		self.0.storage_commit_transaction()
	}
	fn wipe(&mut self) {
		self.0.wipe()
	}
	fn commit(&mut self) {
		self.0.commit()
	}
	fn read_write_count(&self) -> (u32, u32, u32, u32) {
		self.0.read_write_count()
	}
	fn reset_read_write_count(&mut self) {
		self.0.reset_read_write_count()
	}
	fn get_whitelist(&self) -> Vec<TrackedStorageKey> {
		self.0.get_whitelist()
	}
	fn set_whitelist(&mut self, new: Vec<TrackedStorageKey>) {
		self.0.set_whitelist(new)
	}
	fn get_read_and_written_keys(&self) -> Vec<(Vec<u8>, u32, u32, bool)> {
		self.0.get_read_and_written_keys()
	}
}
