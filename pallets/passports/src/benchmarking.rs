//! Benchmarks of the passports pallet (frame-benchmarking v2), worst cases: the longest metadata,
//! a destination with passports of its own.

use super::*;
use alloc::vec;
use frame_support::traits::{EnsureOrigin, Get};
use polkadot_sdk::{frame_benchmarking::v2::*, frame_system::RawOrigin};
use sp_runtime::traits::StaticLookup;

fn metadata<T: Config>(len: u32) -> MetadataOf<T> {
	let bytes = vec![0xAB; len as usize];
	// `len` never exceeds `MaxMetadataLen` in these benchmarks.
	MetadataOf::<T>::try_from(bytes).unwrap_or_default()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn mint(m: Linear<0, { T::MaxMetadataLen::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::MintOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let owner: T::AccountId = account("owner", 0, 0);
		let id = NextPassportId::<T>::get();

		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			T::Lookup::unlookup(owner.clone()),
			PassportKind::HardwareProvider,
			metadata::<T>(m),
		);

		assert!(PassportsByOwner::<T>::contains_key(&owner, id));
		Ok(())
	}

	#[benchmark]
	fn transfer() -> Result<(), BenchmarkError> {
		let owner: T::AccountId = whitelisted_caller();
		let dest: T::AccountId = account("dest", 0, 0);
		let max = T::MaxMetadataLen::get();
		let passport = Pallet::<T>::do_mint(
			owner.clone(),
			PassportKind::HardwareProvider,
			metadata::<T>(max),
		)?;
		Pallet::<T>::do_mint(dest.clone(), PassportKind::Oracle, metadata::<T>(max))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), passport, T::Lookup::unlookup(dest.clone()));

		assert_eq!(Pallet::<T>::owner_of(passport), Some(dest));
		Ok(())
	}

	#[benchmark]
	fn set_metadata(m: Linear<0, { T::MaxMetadataLen::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::MintOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let owner: T::AccountId = account("owner", 0, 0);
		let max = T::MaxMetadataLen::get();
		let passport = Pallet::<T>::do_mint(owner, PassportKind::Oracle, metadata::<T>(max))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, passport, metadata::<T>(m));

		assert_eq!(Passports::<T>::get(passport).map(|p| p.metadata.len() as u32), Some(m));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
