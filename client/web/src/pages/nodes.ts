// Nodes: every node that has not retired, sortable by any column and filtered by cluster,
// class, status, HP, max price, min free capacity, min reliability and commitment end. Two paged storage reads per refresh, whatever the number of nodes.
import type { Context, Page } from '../main';
import { icnt, nameOf, parseIcnt, percent } from '../chain';
import { CLASSES, type NodeRow, loadNodes } from '../data';
import { h, statusBadge, Table } from '../ui';

/// The reason of the node's latest failed challenge, from the reports the page has read.
export function lastFailure(ctx: Context, node: number): string {
  const entries = ctx.indexer.sla.get(node) ?? [];
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const e = entries[i];
    if (e.kind === 'report' && e.passed === false) return e.reason ?? '';
  }
  return '';
}

export function nodesPage(root: HTMLElement, ctx: Context): Page {
  const table = new Table<NodeRow>(
    [
      { key: 'id', label: 'Node', cell: (n) => h('a', { href: `#/node/${n.id}` }, `#${n.id}`), sort: (n) => n.id, numeric: true },
      { key: 'cluster', label: 'Cluster', cell: (n) => n.cluster, sort: (n) => n.cluster, numeric: true },
      { key: 'class', label: 'Class', cell: (n) => n.class },
      { key: 'price', label: 'Price / unit / era', cell: (n) => icnt(n.price), sort: (n) => n.price, numeric: true },
      { key: 'free', label: 'Free', cell: (n) => `${n.free} / ${n.capacity}`, sort: (n) => n.free, numeric: true },
      { key: 'reliability', label: 'Reliability', cell: (n) => percent(n.reliability), sort: (n) => n.reliability, numeric: true },
      { key: 'status', label: 'Status', cell: (n) => statusBadge(n.status), sort: (n) => n.status },
      { key: 'failure', label: 'Last failure', cell: (n) => lastFailure(ctx, n.id) || '—', sort: (n) => lastFailure(ctx, n.id) },
      { key: 'commitment', label: 'Commitment end (era)', cell: (n) => n.commitmentEnd, sort: (n) => n.commitmentEnd, numeric: true },
      { key: 'hp', label: 'HP', cell: (n) => nameOf(n.hp), sort: (n) => n.hp },
    ],
    (n) => String(n.id),
    'nodes',
  );
  const cluster = h('input', { type: 'number', min: 0, placeholder: 'any', size: 4, 'data-testid': 'filter-cluster' });
  const cls = h('select', { 'data-testid': 'filter-class' }, h('option', { value: '' }, 'any'), CLASSES.map((c) => h('option', { value: c }, c)));
  const status = h(
    'select',
    { 'data-testid': 'filter-status' },
    h('option', { value: '' }, 'any'),
    ['Pending', 'Active', 'Faulty', 'Slashing'].map((s) => h('option', { value: s }, s)),
  );
  const hp = h('input', { placeholder: 'HP address or name', size: 18, 'data-testid': 'filter-hp' });
  const maxPrice = h('input', { placeholder: 'any', size: 6, 'data-testid': 'filter-max-price' });
  const minFree = h('input', { type: 'number', min: 0, placeholder: 'any', size: 5, 'data-testid': 'filter-min-free' });
  const minReliability = h('input', { type: 'number', min: 0, max: 100, placeholder: 'any', size: 4, 'data-testid': 'filter-min-reliability' });
  const minCommitment = h('input', { type: 'number', min: 0, placeholder: 'any', size: 4, 'data-testid': 'filter-min-commitment' });
  const count = h('span', { class: 'muted', 'data-testid': 'node-count' });
  const apply = () =>
    table.setFilter(
      (n) =>
        (cluster.value === '' || n.cluster === Number(cluster.value)) &&
        (cls.value === '' || n.class === cls.value) &&
        (status.value === '' || n.status === status.value) &&
        (hp.value.trim() === '' || `${n.hp} ${nameOf(n.hp)}`.toLowerCase().includes(hp.value.trim().toLowerCase())) &&
        (parseIcnt(maxPrice.value.trim()) === null || n.price <= (parseIcnt(maxPrice.value.trim()) ?? 0n)) &&
        (minFree.value === '' || n.free >= Number(minFree.value)) &&
        (minReliability.value === '' || n.reliability >= Number(minReliability.value) * 1e7) &&
        (minCommitment.value === '' || n.commitmentEnd >= Number(minCommitment.value)),
    );
  for (const input of [cluster, cls, status, hp, maxPrice, minFree, minReliability, minCommitment]) input.addEventListener('input', apply);
  root.append(
    h('h1', {}, 'Nodes'),
    h('div', { class: 'filters' }, h('label', {}, 'Cluster ', cluster), h('label', {}, 'Class ', cls), h('label', {}, 'Status ', status), h('label', {}, 'HP ', hp), h('label', {}, 'Max price ', maxPrice), h('label', {}, 'Min free ', minFree), h('label', {}, 'Min reliability % ', minReliability), h('label', {}, 'Committed to era ≥ ', minCommitment), count),
    table.el,
  );
  return {
    async refresh() {
      const nodes = await loadNodes(ctx.api);
      table.update(nodes);
      count.textContent = `${nodes.length} nodes`;
      count.dataset.count = String(nodes.length);
    },
  };
}
