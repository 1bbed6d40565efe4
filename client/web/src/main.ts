// The ICN marketplace: a single page over one node's RPC. Hash routes: #/network, #/nodes,
// #/node/<id>, #/hps, #/request, #/leases. Every page re-reads the state at each new head (at
// most one refresh in flight), so it is live on a dev chain, a local network or zombienet.
import './style.css';
import type { ApiPromise } from '@polkadot/api';
import {
  type Account,
  DEFAULT_URL,
  connect,
  devAccounts,
  extensionAccounts,
  isDevChain,
} from './chain';
import { Indexer } from './indexer';
import { h, clear } from './ui';
import { networkPage } from './pages/network';
import { nodesPage } from './pages/nodes';
import { nodePage } from './pages/node';
import { hpsPage } from './pages/hps';
import { requestPage } from './pages/request';
import { leasesPage } from './pages/leases';

export interface Context {
  api: ApiPromise;
  indexer: Indexer;
  account: () => Account | null;
  best: () => number;
}

export interface Page {
  /// Re-reads the chain and updates what the page shows.
  refresh(): Promise<void>;
  dispose?(): void;
}

type PageFactory = (root: HTMLElement, ctx: Context, arg: string | undefined) => Page;

const routes: Record<string, PageFactory> = {
  network: networkPage,
  nodes: nodesPage,
  node: nodePage,
  hps: hpsPage,
  request: requestPage,
  leases: leasesPage,
};

const root = document.getElementById('page') as HTMLElement;
const urlInput = document.getElementById('url') as HTMLInputElement;
const accountSelect = document.getElementById('account') as HTMLSelectElement;
const headSpan = document.getElementById('head') as HTMLElement;
/// Errors reading the chain (a failed refresh, the indexer's last error), shown above the page.
const statusLine = document.getElementById('status') as HTMLElement;

function showStatus(message: string | null): void {
  statusLine.hidden = message === null;
  statusLine.textContent = message ?? '';
}

let ctx: Context | null = null;
let page: Page | null = null;
let accounts: Account[] = [];
let refreshing = false;
let again = false;

const params = new URLSearchParams(location.search);
urlInput.value = params.get('rpc') ?? localStorage.getItem('icn-url') ?? DEFAULT_URL;

async function refresh(): Promise<void> {
  if (!page) return;
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    await page.refresh();
    showStatus(ctx?.indexer.error ? `History: ${ctx.indexer.error}` : null);
  } catch (e) {
    console.warn('refresh', e);
    showStatus(`Could not read the chain: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    refreshing = false;
  }
  if (again) {
    again = false;
    void refresh();
  }
}

function route(): void {
  if (!ctx) return;
  page?.dispose?.();
  const [, name = 'network', arg] = location.hash.split('/');
  const factory = routes[name] ?? networkPage;
  for (const a of document.querySelectorAll('nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === `#/${name}`);
  }
  clear(root);
  page = factory(root, ctx, arg);
  void refresh();
}

async function start(): Promise<void> {
  const url = urlInput.value.trim();
  localStorage.setItem('icn-url', url);
  headSpan.textContent = `connecting to ${url}…`;
  ctx?.indexer.stop();
  ctx = null;
  clear(root);
  showStatus(null);
  let api: ApiPromise;
  try {
    api = await connect(url);
  } catch (e) {
    headSpan.textContent = `cannot connect to ${url}`;
    root.append(h('p', { class: 'error' }, `Cannot connect to ${url}: ${String(e)}`));
    return;
  }
  const [chain, dev] = await Promise.all([api.rpc.system.chain(), isDevChain(api)]);
  // Dev keys only on development chains; the extension's accounts everywhere.
  accounts = [...(dev ? devAccounts() : []), ...(await extensionAccounts().catch(() => []))];
  const remembered = localStorage.getItem('icn-account');
  accountSelect.replaceChildren(
    ...accounts.map((a) => h('option', { value: a.address, selected: a.address === remembered }, a.name)),
  );
  if (accounts.length === 0) {
    accountSelect.append(h('option', { value: '' }, 'no account (install the polkadot.js extension)'));
  }
  const indexer = new Indexer(api);
  ctx = {
    api,
    indexer,
    account: () => accounts.find((a) => a.address === accountSelect.value) ?? null,
    best: () => indexer.best,
  };
  indexer.onBlock((n) => {
    headSpan.textContent = `${chain.toString()} · block #${n}`;
    headSpan.dataset.block = String(n);
    void refresh();
  });
  // The best block first, so the pages' era and grace figures are right before the history is read.
  await indexer.prime().catch((e: unknown) => console.warn('prime', e));
  route();
  await indexer.start().catch((e: unknown) => {
    console.warn('indexer', e);
    showStatus(`Not following the chain: ${e instanceof Error ? e.message : String(e)} (press Connect to retry)`);
  });
}

accountSelect.addEventListener('change', () => {
  localStorage.setItem('icn-account', accountSelect.value);
  void refresh();
});
document.getElementById('connect')?.addEventListener('click', () => void start());
window.addEventListener('hashchange', route);
void start();
