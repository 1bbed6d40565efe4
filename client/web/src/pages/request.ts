// Quote and request: an SP enters cluster, class, amount, duration, max price and preferences;
// the page shows `CapacityMarketApi.quote` live (the function the request itself runs, on the
// same state), then submits `requestCapacity` signed by the chosen account. A failed request
// shows the pallet error and its doc.
import type { Context, Page } from '../main';
import { describeError, icnt, parseIcnt, send } from '../chain';
import { type ClusterRow, loadClusters } from '../data';
import { h } from '../ui';

type Prim = Record<string, unknown>;

export function requestPage(root: HTMLElement, ctx: Context): Page {
  const input = (name: string, value: string, attrs: Record<string, string | number> = {}) =>
    h('input', { name, value, 'data-testid': `req-${name}`, ...attrs });
  const cluster = h('select', { name: 'cluster', 'data-testid': 'req-cluster' });
  const cls = h('select', { name: 'class', 'data-testid': 'req-class' });
  const amount = input('amount', '100', { type: 'number', min: 0 });
  const duration = input('duration', '5', { type: 'number', min: 1 });
  const maxPrice = input('maxPrice', '1', { size: 12 });
  const prefPrice = input('prefPrice', '60', { type: 'number', min: 0, max: 100 });
  const prefReliability = input('prefReliability', '30', { type: 'number', min: 0, max: 100 });
  const prefCommitment = input('prefCommitment', '10', { type: 'number', min: 0, max: 100 });
  const partial = h('input', { type: 'checkbox', name: 'partial', 'data-testid': 'req-partial' });
  const quoteBox = h('div', { class: 'quote', 'data-testid': 'quote' }, 'Enter a request to see its quote.');
  const result = h('div', { 'data-testid': 'request-result' });
  const submit = h('button', { 'data-testid': 'req-submit' }, 'Request capacity');
  let clusters: ClusterRow[] = [];
  let quoteSeq = 0;

  const perbill = (el: HTMLInputElement) => Math.round(Math.min(100, Math.max(0, Number(el.value) || 0)) * 1e7);
  function args(): [number, string, number, number, bigint, Prim] | string {
    const price = parseIcnt(maxPrice.value);
    if (price === null) return 'The max price must be an ICNT amount, e.g. 0.01.';
    if (!cls.value) return 'No cluster with this class yet: nothing to quote.';
    return [
      Number(cluster.value),
      cls.value,
      Math.max(0, Math.floor(Number(amount.value) || 0)),
      Math.max(0, Math.floor(Number(duration.value) || 0)),
      price,
      { price: perbill(prefPrice), reliability: perbill(prefReliability), commitment: perbill(prefCommitment) },
    ];
  }

  async function quote(): Promise<void> {
    const a = args();
    const seq = (quoteSeq += 1);
    if (typeof a === 'string') {
      quoteBox.textContent = a;
      return;
    }
    let q;
    try {
      q = await ctx.api.call.capacityMarketApi.quote(...a);
    } catch (e) {
      if (seq === quoteSeq) {
        quoteBox.replaceChildren(h('p', { class: 'error' }, `Could not quote: ${e instanceof Error ? e.message : String(e)}`));
      }
      return;
    }
    if (seq !== quoteSeq) return; // a newer input is being quoted
    const r = q as unknown as { isOk: boolean; asOk: { toPrimitive(): unknown }; asErr: Parameters<typeof describeError>[1] };
    if (!r.isOk) {
      quoteBox.replaceChildren(h('p', { class: 'error', 'data-testid': 'quote-error' }, describeError(ctx.api, r.asErr)));
      return;
    }
    const ok = r.asOk.toPrimitive() as { allocations: Prim[]; allocated: number; cost: string | number };
    quoteBox.replaceChildren(
      h(
        'p',
        { 'data-testid': 'quote-summary', 'data-allocated': ok.allocated, 'data-cost': String(BigInt(ok.cost)) },
        `${ok.allocated} of ${a[2]} units for ${a[3]} eras: ${icnt(BigInt(ok.cost))}`,
      ),
      h(
        'table',
        { 'data-testid': 'quote-allocations' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Node'), h('th', { class: 'num' }, 'Units'), h('th', { class: 'num' }, 'Price / unit / era'))),
        h(
          'tbody',
          {},
          ok.allocations.map((al) =>
            h('tr', {}, h('td', {}, h('a', { href: `#/node/${al.node}` }, `#${al.node}`)), h('td', { class: 'num' }, Number(al.units)), h('td', { class: 'num' }, icnt(BigInt(al.price as string | number)))),
          ),
        ),
      ),
    );
  }

  async function request(): Promise<void> {
    const account = ctx.account();
    const a = args();
    result.className = '';
    if (!account) {
      result.textContent = 'Choose an account first (the polkadot.js extension, or a dev account on a dev chain).';
      return;
    }
    if (typeof a === 'string') {
      result.textContent = a;
      return;
    }
    submit.disabled = true;
    result.textContent = `Submitting as ${account.name}…`;
    try {
      const [c, k, units, eras, price, prefs] = a;
      const sent = await send(ctx.api.tx.capacityMarket.requestCapacity(c, k, units, eras, price, prefs, partial.checked), account);
      const leases = sent.events.filter((e) => e.section === 'capacityMarket' && e.method === 'LeaseCreated');
      result.className = 'ok';
      result.replaceChildren(
        h('p', { 'data-testid': 'request-ok', 'data-leases': leases.map((l) => l.data.lease).join(',') }, `Requested: ${leases.length} lease(s) created in block ${sent.blockHash.slice(0, 10)}…`),
        h('ul', {}, leases.map((l) => h('li', {}, `lease ${l.data.lease}: ${l.data.units} units on node #${l.data.node}, eras ${l.data.start}..${l.data.end}`))),
        h('p', {}, h('a', { href: '#/leases' }, 'See my leases')),
      );
    } catch (e) {
      result.className = 'error';
      result.replaceChildren(h('p', { 'data-testid': 'request-error' }, (e as Error).message));
    } finally {
      submit.disabled = false;
    }
  }

  function classes(): void {
    const c = clusters.find((x) => x.id === Number(cluster.value));
    const chosen = cls.value;
    cls.replaceChildren(...(c?.classes ?? []).map((k) => h('option', { value: k }, k)));
    if (c?.classes.includes(chosen)) cls.value = chosen;
  }

  for (const el of [amount, duration, maxPrice, prefPrice, prefReliability, prefCommitment, cls]) {
    el.addEventListener('input', () => void quote());
  }
  cluster.addEventListener('change', () => {
    classes();
    void quote();
  });
  submit.addEventListener('click', () => void request());
  const row = (label: string, el: HTMLElement, hint = '') => h('label', { class: 'row' }, h('span', {}, label), el, hint ? h('small', { class: 'muted' }, hint) : null);
  root.append(
    h('h1', {}, 'Quote and request capacity'),
    h(
      'div',
      { class: 'form' },
      row('Cluster', cluster),
      row('Class', cls),
      row('Amount (units)', amount),
      row('Duration (eras)', duration),
      row('Max price (ICNT / unit / era)', maxPrice),
      row('Weight of price %', prefPrice),
      row('Weight of reliability %', prefReliability),
      row('Weight of commitment %', prefCommitment),
      row('Allow a partial fill', partial),
      submit,
    ),
    h('h2', {}, 'Quote'),
    quoteBox,
    result,
  );
  return {
    async refresh() {
      const fresh = await loadClusters(ctx.api);
      if (fresh.length !== clusters.length) {
        clusters = fresh;
        const chosen = cluster.value;
        cluster.replaceChildren(...clusters.map((c) => h('option', { value: c.id }, `${c.id} · ${c.region}`)));
        if (clusters.some((c) => String(c.id) === chosen)) cluster.value = chosen;
        classes();
      }
      // The state changed with the block: the quote may have too.
      await quote();
    },
  };
}
