// Network: per cluster and class, capacity, free capacity, utilization, the candidates' price
// range, this era's rewards and nodes by status; a chart of the last eras from the indexer.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Context, Page } from '../main';
import { icnt, percent, ICNT } from '../chain';
import { type GroupRow, loadClusters, loadGroups, loadNodes, eraOf } from '../data';
import { h, Table } from '../ui';

export function networkPage(root: HTMLElement, ctx: Context): Page {
  const summary = h('p', { class: 'muted', 'data-testid': 'network-summary' }, 'loading…');
  const table = new Table<GroupRow>(
    [
      { key: 'cluster', label: 'Cluster', cell: (g) => `${g.cluster} · ${g.region}`, sort: (g) => g.cluster },
      { key: 'class', label: 'Class', cell: (g) => g.class },
      { key: 'capacity', label: 'Capacity', cell: (g) => g.capacity, sort: (g) => g.capacity, numeric: true },
      { key: 'free', label: 'Free', cell: (g) => g.free, sort: (g) => g.free, numeric: true },
      { key: 'utilization', label: 'Utilization', cell: (g) => percent(g.utilization), sort: (g) => g.utilization, numeric: true },
      {
        key: 'price',
        label: 'Price / unit / era',
        cell: (g) => (g.minPrice === null ? '—' : g.minPrice === g.maxPrice ? icnt(g.minPrice) : `${icnt(g.minPrice)} – ${icnt(g.maxPrice ?? 0n)}`),
        sort: (g) => g.minPrice ?? -1n,
        numeric: true,
      },
      { key: 'subsidy', label: 'Subsidy this era', cell: (g) => icnt(g.subsidyPerEra, 2), sort: (g) => g.subsidyPerEra, numeric: true },
      { key: 'usage', label: 'Usage reward this era', cell: (g) => icnt(g.usageThisEra, 2), sort: (g) => g.usageThisEra, numeric: true },
      {
        key: 'nodes',
        label: 'Nodes by status',
        cell: (g) => Object.entries(g.byStatus).map(([s, n]) => `${n} ${s}`).join(', ') || 'none',
        sort: (g) => Object.values(g.byStatus).reduce((a, b) => a + b, 0),
      },
    ],
    (g) => `${g.cluster}/${g.class}`,
    'groups',
  );
  const select = h('select', { 'data-testid': 'chart-group' });
  const chartBox = h('div', { class: 'chart', 'data-testid': 'chart' });
  root.append(
    h('h1', {}, 'Network'),
    summary,
    table.el,
    h('h2', {}, 'Last eras ', select),
    h('p', { class: 'muted' }, 'Capacity and utilization as each era closed, and what it paid (subsidy and usage reward), from the blocks this page has read.'),
    chartBox,
  );
  let plot: uPlot | null = null;
  let plotted = '';

  function draw(): void {
    const key = select.value;
    const points = ctx.indexer.eras.get(key) ?? [];
    const signature = `${key}:${points.length}:${points.at(-1)?.era ?? ''}`;
    if (signature === plotted) return;
    plotted = signature;
    plot?.destroy();
    plot = null;
    chartBox.replaceChildren();
    if (points.length === 0) {
      chartBox.append(h('p', { class: 'muted' }, 'No era has closed in the blocks read so far.'));
      return;
    }
    const toIcnt = (v: bigint) => Number((v * 1000n) / ICNT) / 1000;
    const data: uPlot.AlignedData = [
      points.map((p) => p.era),
      points.map((p) => p.capacity),
      points.map((p) => (p.utilization === null ? null : p.utilization / 1e7)),
      points.map((p) => toIcnt(p.subsidy + p.usage)),
    ];
    plot = new uPlot(
      {
        width: Math.min(900, root.clientWidth || 900),
        height: 260,
        scales: { x: { time: false }, pct: { range: [0, 100] } },
        axes: [
          // Eras are whole numbers: only integer steps on the x axis.
          { label: 'era', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
          { label: 'capacity (units)', scale: 'y' },
          { side: 1, scale: 'pct', label: 'utilization %', grid: { show: false } },
          { side: 1, scale: 'icnt', label: 'rewards (ICNT)', grid: { show: false } },
        ],
        series: [
          { label: 'era' },
          { label: 'capacity', stroke: '#2563eb', scale: 'y' },
          { label: 'utilization %', stroke: '#16a34a', scale: 'pct' },
          { label: 'rewards (ICNT)', stroke: '#d97706', scale: 'icnt' },
        ],
      },
      data,
      chartBox,
    );
  }
  select.addEventListener('change', draw);

  return {
    async refresh() {
      const [clusters, nodes] = await Promise.all([loadClusters(ctx.api), loadNodes(ctx.api)]);
      const groups = await loadGroups(ctx.api, clusters, nodes);
      table.update(groups);
      const { era } = await eraOf(ctx.api, ctx.best());
      const capacity = groups.reduce((s, g) => s + g.capacity, 0);
      const free = groups.reduce((s, g) => s + g.free, 0);
      summary.textContent = `Era ${era} · ${clusters.length} cluster${clusters.length === 1 ? '' : 's'} · ${nodes.length} node${nodes.length === 1 ? '' : 's'} · ${capacity} units of active capacity, ${free} free`;
      const keys = groups.map((g) => `${g.cluster}/${g.class}`);
      if (select.options.length !== keys.length) {
        const chosen = select.value;
        select.replaceChildren(...groups.map((g) => h('option', { value: `${g.cluster}/${g.class}` }, `${g.region} · ${g.class}`)));
        if (keys.includes(chosen)) select.value = chosen;
      }
      draw();
    },
    dispose() {
      plot?.destroy();
    },
  };
}
