// HPs, for delegators: each HP's commission, bond, pool, coverage, slashes and its nodes'
// reliability (`CollateralApi.collateral_of`), and what a delegation of X would earn per era at
// this era's rates and at the last era's payout; delegating is one click (signed by the chosen account).
import type { Context, Page } from '../main';
import { icnt, nameOf, parseIcnt, percent, send } from '../chain';
import { type HpRow, delegationEstimate, loadClusters, loadGroups, loadHps, loadNodes } from '../data';
import { h, Table } from '../ui';

export function hpsPage(root: HTMLElement, ctx: Context): Page {
  const amountInput = h('input', { value: '1000', size: 10, 'data-testid': 'delegation-amount' });
  const message = h('p', { class: 'muted', 'data-testid': 'hp-message' });
  let amount = parseIcnt(amountInput.value) ?? 0n;
  let rows: HpRow[] = [];
  /// Slashes per HP in the blocks the indexer has read, recomputed at each refresh.
  let seen = new Map<string, bigint>();
  const table = new Table<HpRow>(
    [
      { key: 'hp', label: 'HP', cell: (r) => h('span', { title: r.hp }, nameOf(r.hp)), sort: (r) => nameOf(r.hp) },
      { key: 'commission', label: 'Commission', cell: (r) => percent(r.commission), sort: (r) => r.commission, numeric: true },
      { key: 'bond', label: 'Bond', cell: (r) => icnt(r.bond, 0), sort: (r) => r.bond, numeric: true },
      { key: 'pool', label: 'Pool (delegators)', cell: (r) => `${icnt(r.poolValue, 0)} (${r.delegators})`, sort: (r) => r.poolValue, numeric: true },
      {
        key: 'coverage',
        label: 'Coverage',
        cell: (r) => (r.shortfall > 0n ? `${r.coverage}: short ${icnt(r.shortfall, 0)} of ${icnt(r.requirement, 0)}` : `${r.coverage} (needs ${icnt(r.requirement, 0)})`),
        sort: (r) => r.shortfall,
      },
      { key: 'nodes', label: 'Nodes', cell: (r) => r.nodes.map((n) => `#${n.id} ${n.status}`).join(', ') || 'none', sort: (r) => r.nodes.length },
      { key: 'reliability', label: 'Nodes’ reliability', cell: (r) => percent(r.reliability), sort: (r) => r.reliability, numeric: true },
      { key: 'slashed', label: 'Slashed (open anomalies)', cell: (r) => icnt(r.slashed, 2), sort: (r) => r.slashed, numeric: true },
      {
        key: 'slashedSeen',
        label: 'Slashed (blocks read)',
        cell: (r) => h('span', { title: `since block #${ctx.indexer.from}` }, icnt(seen.get(r.hp) ?? 0n, 2)),
        sort: (r) => seen.get(r.hp) ?? 0n,
        numeric: true,
      },
      { key: 'earn', label: 'Would earn / era (this era’s rates)', cell: (r) => icnt(delegationEstimate(r, amount), 4), sort: (r) => delegationEstimate(r, amount), numeric: true },
      { key: 'earnLast', label: '(last era’s)', cell: (r) => icnt(delegationEstimate(r, amount, false), 4), sort: (r) => delegationEstimate(r, amount, false), numeric: true },
      {
        key: 'act',
        label: '',
        cell: (r) =>
          h(
            'button',
            {
              'data-testid': `delegate-${r.hp}`,
              onclick: () => void delegate(r),
            },
            'Delegate',
          ),
      },
    ],
    (r) => r.hp,
    'hps',
  );

  async function delegate(r: HpRow): Promise<void> {
    const account = ctx.account();
    if (!account) {
      message.textContent = 'Choose an account first.';
      return;
    }
    message.className = 'muted';
    message.textContent = `Delegating ${icnt(amount)} to ${nameOf(r.hp)}…`;
    try {
      await send(ctx.api.tx.collateral.delegate(r.hp, amount), account);
      message.textContent = `Delegated ${icnt(amount)} to ${nameOf(r.hp)}. Shares earn from the second era on (SPEC §3.9).`;
    } catch (e) {
      message.textContent = (e as Error).message;
      message.className = 'error';
    }
  }

  amountInput.addEventListener('input', () => {
    amount = parseIcnt(amountInput.value) ?? 0n;
    table.update(rows);
  });
  root.append(
    h('h1', {}, 'Hardware providers'),
    h(
      'p',
      {},
      'If I delegate ',
      amountInput,
      ' ICNT: the last columns estimate what it would earn per era at this era’s rates (the subsidy projected to the era’s end and the usage reward so far, before the network-wide cap) and at the last era’s payout — shared by capacity, after commission, pro rata of bond and pool.',
    ),
    message,
    table.el,
  );
  return {
    async refresh() {
      const [clusters, nodes] = await Promise.all([loadClusters(ctx.api), loadNodes(ctx.api)]);
      const groups = await loadGroups(ctx.api, clusters, nodes);
      rows = await loadHps(ctx.api, nodes, groups);
      seen = ctx.indexer.slashedByHp();
      table.update(rows);
    },
  };
}
