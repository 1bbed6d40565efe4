//! Unit tests: every call, every error (with state unchanged), the staking trait, the NFT view and
//! the invariants after each mutation.

use crate::{mock::*, Error, Event, NextPassportId, PassportsByOwner, PASSPORT_COLLECTION};
use codec::Encode;
use icn_primitives::passport::{PassportInspect, PassportKind, PassportStaking, PassportUse};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok, traits::tokens::nonfungibles_v2::Inspect},
	frame_system::RawOrigin,
	sp_runtime::{traits::BadOrigin, BoundedVec},
};

const NODE: PassportUse = PassportUse::HardwareNode(7);

fn metadata(bytes: &[u8]) -> BoundedVec<u8, polkadot_sdk::frame_support::traits::ConstU32<32>> {
	BoundedVec::try_from(bytes.to_vec()).expect("test metadata fits")
}

fn last_event() -> RuntimeEvent {
	System::events()
		.last()
		.map(|r| r.event.clone())
		.expect("an event was deposited")
}

fn invariants_hold() {
	assert_ok!(crate::Pallet::<Test>::do_try_state());
}

#[test]
fn genesis_mints_passports_in_order() {
	new_test_ext().execute_with(|| {
		assert_eq!(NextPassportId::<Test>::get(), 2);
		assert_eq!(Passports::owner_of(0), Some(ALICE));
		assert_eq!(Passports::kind_of(0), Some(PassportKind::HardwareProvider));
		assert_eq!(Passports::kind_of(1), Some(PassportKind::Oracle));
		assert_eq!(Passports::passports_of(&ALICE), vec![0, 1]);
		assert_eq!(
			crate::Passports::<Test>::get(0).map(|p| p.metadata.into_inner()),
			Some(b"hp".to_vec())
		);
		invariants_hold();
	});
}

#[test]
fn root_mints_with_metadata_and_an_event() {
	new_test_ext().execute_with(|| {
		assert_ok!(Passports::mint(
			RawOrigin::Root.into(),
			BOB,
			PassportKind::Oracle,
			metadata(b"{\"org\":\"b\"}")
		));
		assert_eq!(Passports::owner_of(2), Some(BOB));
		assert_eq!(Passports::passports_of(&BOB), vec![2]);
		assert_eq!(
			last_event(),
			RuntimeEvent::Passports(Event::Minted {
				passport: 2,
				owner: BOB,
				kind: PassportKind::Oracle
			})
		);
		invariants_hold();
	});
}

#[test]
fn only_mint_origin_mints_or_sets_metadata() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Passports::mint(RuntimeOrigin::signed(ALICE), BOB, PassportKind::Oracle, metadata(b"")),
			BadOrigin
		);
		assert_noop!(
			Passports::set_metadata(RuntimeOrigin::signed(ALICE), 0, metadata(b"x")),
			BadOrigin
		);
	});
}

#[test]
fn mint_fails_cleanly_when_ids_are_exhausted() {
	new_test_ext().execute_with(|| {
		NextPassportId::<Test>::put(u32::MAX);
		assert_noop!(
			Passports::mint(RawOrigin::Root.into(), BOB, PassportKind::Oracle, metadata(b"")),
			Error::<Test>::IdsExhausted
		);
	});
}

#[test]
fn owner_transfers_an_unstaked_passport() {
	new_test_ext().execute_with(|| {
		assert_ok!(Passports::transfer(RuntimeOrigin::signed(ALICE), 0, BOB));
		assert_eq!(Passports::owner_of(0), Some(BOB));
		assert_eq!(Passports::passports_of(&ALICE), vec![1]);
		assert_eq!(Passports::passports_of(&BOB), vec![0]);
		assert!(!PassportsByOwner::<Test>::contains_key(ALICE, 0));
		assert_eq!(
			last_event(),
			RuntimeEvent::Passports(Event::Transferred { passport: 0, from: ALICE, to: BOB })
		);
		invariants_hold();
	});
}

#[test]
fn transfer_errors_change_nothing() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Passports::transfer(RuntimeOrigin::signed(ALICE), 9, BOB),
			Error::<Test>::PassportNotFound
		);
		assert_noop!(
			Passports::transfer(RuntimeOrigin::signed(BOB), 0, CHARLIE),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Passports::transfer(RuntimeOrigin::signed(ALICE), 0, ALICE),
			Error::<Test>::TransferToSelf
		);
		assert_noop!(Passports::transfer(RawOrigin::Root.into(), 0, BOB), BadOrigin);
		assert_ok!(<Passports as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		assert_noop!(
			Passports::transfer(RuntimeOrigin::signed(ALICE), 0, BOB),
			Error::<Test>::PassportStaked
		);
	});
}

#[test]
fn set_metadata_replaces_it() {
	new_test_ext().execute_with(|| {
		assert_ok!(Passports::set_metadata(RawOrigin::Root.into(), 1, metadata(b"oracle-eu")));
		assert_eq!(
			crate::Passports::<Test>::get(1).map(|p| p.metadata.into_inner()),
			Some(b"oracle-eu".to_vec())
		);
		assert_eq!(last_event(), RuntimeEvent::Passports(Event::MetadataSet { passport: 1 }));
		assert_noop!(
			Passports::set_metadata(RawOrigin::Root.into(), 5, metadata(b"x")),
			Error::<Test>::PassportNotFound
		);
	});
}

#[test]
fn staking_checks_owner_kind_and_state() {
	new_test_ext().execute_with(|| {
		type Staking = Passports;
		assert_noop!(
			<Staking as PassportStaking<u64>>::stake(&ALICE, 9, NODE),
			Error::<Test>::PassportNotFound
		);
		assert_noop!(
			<Staking as PassportStaking<u64>>::stake(&BOB, 0, NODE),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			<Staking as PassportStaking<u64>>::stake(&ALICE, 1, NODE),
			Error::<Test>::WrongKind
		);
		assert_noop!(
			<Staking as PassportStaking<u64>>::stake(&ALICE, 0, PassportUse::Oracle),
			Error::<Test>::WrongKind
		);

		assert_ok!(<Staking as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		assert_eq!(Passports::use_of(0), Some(NODE));
		assert_eq!(
			last_event(),
			RuntimeEvent::Passports(Event::Staked { passport: 0, owner: ALICE, usage: NODE })
		);
		assert_noop!(
			<Staking as PassportStaking<u64>>::stake(&ALICE, 0, PassportUse::HardwareNode(8)),
			Error::<Test>::PassportStaked
		);
		assert_ok!(<Staking as PassportStaking<u64>>::stake(&ALICE, 1, PassportUse::Oracle));
		invariants_hold();
	});
}

#[test]
fn unstaking_releases_only_what_the_passport_backs() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			<Passports as PassportStaking<u64>>::unstake(0, NODE),
			Error::<Test>::NotStakedForThis
		);
		assert_ok!(<Passports as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		assert_noop!(
			<Passports as PassportStaking<u64>>::unstake(0, PassportUse::HardwareNode(8)),
			Error::<Test>::NotStakedForThis
		);
		assert_noop!(
			<Passports as PassportStaking<u64>>::unstake(4, NODE),
			Error::<Test>::PassportNotFound
		);
		assert_ok!(<Passports as PassportStaking<u64>>::unstake(0, NODE));
		assert_eq!(Passports::use_of(0), None);
		assert_eq!(
			last_event(),
			RuntimeEvent::Passports(Event::Unstaked { passport: 0, owner: ALICE, usage: NODE })
		);
		// Free again: it can be transferred.
		assert_ok!(Passports::transfer(RuntimeOrigin::signed(ALICE), 0, BOB));
		invariants_hold();
	});
}

#[test]
fn revoking_burns_staked_and_free_passports() {
	new_test_ext().execute_with(|| {
		assert_ok!(<Passports as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		assert_ok!(<Passports as PassportStaking<u64>>::revoke(0));
		assert_eq!(Passports::owner_of(0), None);
		assert_eq!(Passports::passports_of(&ALICE), vec![1]);
		assert_eq!(
			last_event(),
			RuntimeEvent::Passports(Event::Revoked {
				passport: 0,
				owner: ALICE,
				was_staked_for: Some(NODE)
			})
		);
		assert_ok!(<Passports as PassportStaking<u64>>::revoke(1));
		assert_noop!(
			<Passports as PassportStaking<u64>>::revoke(1),
			Error::<Test>::PassportNotFound
		);
		// A revoked id is never minted again.
		assert_ok!(Passports::mint(
			RawOrigin::Root.into(),
			BOB,
			PassportKind::HardwareProvider,
			metadata(b"")
		));
		assert_eq!(Passports::passports_of(&BOB), vec![2]);
		invariants_hold();
	});
}

#[test]
fn nonfungibles_inspect_reports_ownership_kind_and_transferability() {
	new_test_ext().execute_with(|| {
		assert_eq!(<Passports as Inspect<u64>>::owner(&PASSPORT_COLLECTION, &0), Some(ALICE));
		assert_eq!(<Passports as Inspect<u64>>::owner(&1, &0), None);
		assert_eq!(<Passports as Inspect<u64>>::owner(&PASSPORT_COLLECTION, &5), None);
		assert_eq!(
			<Passports as Inspect<u64>>::attribute(&PASSPORT_COLLECTION, &1, b"kind"),
			Some(PassportKind::Oracle.encode())
		);
		assert_eq!(
			<Passports as Inspect<u64>>::attribute(&PASSPORT_COLLECTION, &0, b"metadata"),
			Some(b"hp".to_vec())
		);
		assert_eq!(
			<Passports as Inspect<u64>>::attribute(&PASSPORT_COLLECTION, &0, b"color"),
			None
		);
		assert!(<Passports as Inspect<u64>>::can_transfer(&PASSPORT_COLLECTION, &0));
		assert_ok!(<Passports as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		assert!(!<Passports as Inspect<u64>>::can_transfer(&PASSPORT_COLLECTION, &0));
		assert!(!<Passports as Inspect<u64>>::can_transfer(&PASSPORT_COLLECTION, &9));
	});
}

#[test]
fn try_state_catches_a_broken_owner_index() {
	new_test_ext().execute_with(|| {
		PassportsByOwner::<Test>::remove(ALICE, 0);
		assert!(crate::Pallet::<Test>::do_try_state().is_err());
	});
}

#[test]
fn try_state_catches_two_passports_backing_one_node() {
	new_test_ext().execute_with(|| {
		assert_ok!(Passports::mint(
			RawOrigin::Root.into(),
			ALICE,
			PassportKind::HardwareProvider,
			metadata(b"")
		));
		assert_ok!(<Passports as PassportStaking<u64>>::stake(&ALICE, 0, NODE));
		crate::Passports::<Test>::mutate(2, |p| {
			if let Some(p) = p {
				p.staked_for = Some(NODE);
			}
		});
		assert!(crate::Pallet::<Test>::do_try_state().is_err());
	});
}
