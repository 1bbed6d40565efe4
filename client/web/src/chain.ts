// The chain connection and what every page needs from it: formatting, accounts, signing and
// errors. Everything — calls, storage, events, errors, runtime APIs — comes from the chain's
// metadata; there are no hand-written types.
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError } from '@polkadot/types/interfaces';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { fields } from './indexer';

/// ICNT has 18 decimals (the chain spec's `tokenDecimals`).
export const DECIMALS = 18n;
export const ICNT = 10n ** DECIMALS;

export const DEFAULT_URL = 'ws://127.0.0.1:9944';

/// The dev accounts, offered without an extension on development chains only.
export const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

export interface Account {
  address: string;
  name: string;
  /// `dev`: a dev key held by the page; `extension`: signed by the browser extension.
  source: 'dev' | 'extension';
  pair?: KeyringPair;
}

let api: ApiPromise | null = null;
let provider: WsProvider | null = null;

export function current(): ApiPromise {
  if (!api) throw new Error('not connected');
  return api;
}

export function connected(): boolean {
  return api !== null && api.isConnected;
}

/// Connects to `url` (replacing any earlier connection) and resolves once the metadata is in.
export async function connect(url: string): Promise<ApiPromise> {
  await cryptoWaitReady();
  if (api) {
    await api.disconnect().catch(() => {});
    api = null;
  }
  provider = new WsProvider(url, 2_500);
  try {
    api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
  } catch (e) {
    // No endless reconnecting to a URL that does not answer: the user gives another one.
    await provider.disconnect().catch(() => {});
    throw new Error(e instanceof Error ? e.message : 'no answer');
  }
  return api;
}

/// Whether the chain is a development chain: only there are dev accounts offered.
export async function isDevChain(a: ApiPromise): Promise<boolean> {
  const type = await a.rpc.system.chainType();
  return type.isDevelopment || type.isLocal;
}

export function devAccounts(): Account[] {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return DEV_ACCOUNTS.map((name) => {
    const pair = keyring.addFromUri(`//${name}`);
    return { address: pair.address, name: `${name} (dev)`, source: 'dev' as const, pair };
  });
}

/// Accounts of the polkadot.js browser extension (or any compatible one), if there is one.
export async function extensionAccounts(): Promise<Account[]> {
  const { web3Enable, web3Accounts } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable('ICN marketplace');
  if (extensions.length === 0) return [];
  const accounts = await web3Accounts({ ss58Format: 42 });
  return accounts.map((a) => ({
    address: a.address,
    name: `${a.meta.name ?? a.address.slice(0, 8)} (${a.meta.source})`,
    source: 'extension' as const,
  }));
}

/// A dispatch error as `Pallet.Error: doc`, from the metadata.
export function describeError(a: ApiPromise, error: DispatchError): string {
  if (error.isModule) {
    const meta = a.registry.findMetaError(error.asModule);
    return `${upperFirst(meta.section)}.${meta.name}: ${meta.docs.join(' ').trim()}`;
  }
  return error.toString();
}

export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface Sent {
  blockHash: string;
  /// The block's events of this extrinsic, their fields by (camel-cased) name.
  events: { section: string; method: string; data: Record<string, unknown> }[];
}

/// How long `send` waits for a transaction to reach a block.
const SEND_TIMEOUT_MS = 120_000;

/// Signs `tx` with `account` (a dev key, or the extension's signer), resolves once it is in a
/// block; rejects with `Pallet.Error: doc` if it failed.
export async function send(
  tx: SubmittableExtrinsic<'promise'>,
  account: Account,
): Promise<Sent> {
  const a = current();
  let signer: Parameters<typeof tx.signAndSend>[0] = account.address;
  let options = {};
  if (account.source === 'dev' && account.pair) {
    signer = account.pair;
  } else {
    const { web3FromAddress } = await import('@polkadot/extension-dapp');
    const injected = await web3FromAddress(account.address);
    options = { signer: injected.signer };
  }
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe();
      f();
    };
    // A transaction the pool never includes (a lost connection, an author that never picks it)
    // must not leave the page waiting forever.
    const timer = setTimeout(
      () => finish(() => reject(new Error(`not in a block after ${SEND_TIMEOUT_MS / 1000} s`))),
      SEND_TIMEOUT_MS,
    );
    tx.signAndSend(signer, options, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(() => reject(new Error(`the transaction pool reported it ${status.type}`)));
        return;
      }
      if (!status.isInBlock && !status.isFinalized) return;
      finish(() => {
        if (dispatchError) {
          reject(new Error(describeError(a, dispatchError)));
          return;
        }
        resolve({
          blockHash: (status.isInBlock ? status.asInBlock : status.asFinalized).toHex(),
          events: events.map(({ event }) => ({
            section: event.section,
            method: event.method,
            data: fields(event.data),
          })),
        });
      });
    }).then(
      (u) => {
        if (settled) u();
        else unsubscribe = u;
      },
      (e: unknown) => finish(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/// `amount` base units as ICNT with up to `digits` decimals.
export function icnt(amount: bigint | string | number, digits = 4): string {
  const value = BigInt(amount);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / ICNT;
  const fraction = abs % ICNT;
  let text = whole.toLocaleString('en-US');
  if (digits > 0 && fraction > 0n) {
    const f = fraction.toString().padStart(Number(DECIMALS), '0').slice(0, digits).replace(/0+$/, '');
    if (f) text += `.${f}`;
    else if (whole === 0n) text = `< 0.${'0'.repeat(digits - 1)}1`;
  }
  return `${negative ? '-' : ''}${text} ICNT`;
}

/// Parses a decimal ICNT amount ("0.5", "12") into base units; `null` if it is not one.
export function parseIcnt(text: string): bigint | null {
  const m = /^\s*(\d+)(?:\.(\d{0,18}))?\s*$/.exec(text);
  if (!m) return null;
  return BigInt(m[1]) * ICNT + BigInt((m[2] ?? '').padEnd(Number(DECIMALS), '0') || '0');
}

/// A Perbill's parts (0..10^9) as a percentage.
export function percent(parts: number | bigint, digits = 1): string {
  return `${(Number(parts) / 1e7).toFixed(digits)}%`;
}

export function shortAddress(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

/// The dev accounts' names by address, to show "Alice" rather than an SS58 string.
const knownNames = new Map<string, string>();
export function nameOf(address: string): string {
  if (knownNames.size === 0) {
    for (const a of devAccounts()) knownNames.set(a.address, a.name.replace(' (dev)', ''));
  }
  return knownNames.get(address) ?? shortAddress(address);
}
