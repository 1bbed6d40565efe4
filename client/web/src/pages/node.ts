// One node: what the market and the SLA oracle say of it now (runtime APIs), and its SLA
// history from the blocks the page has read: rounds passed or failed and why, anomaly, grace,
// slashes, reliability over time.
import uPlot from 'uplot';
import type { Context, Page } from '../main';
import { icnt, nameOf, percent } from '../chain';
import { eraOf } from '../data';
import { h, statusBadge } from '../ui';
import { lastFailure } from './nodes';

type Prim = Record<string, unknown>;

export function nodePage(root: HTMLElement, ctx: Context, arg: string | undefined): Page {
  const id = Number(arg);
  const facts = h('dl', { class: 'facts', 'data-testid': 'node-facts' });
  const history = h('tbody');
  const chartBox = h('div', { class: 'chart' });
  root.append(
    h('h1', {}, `Node #${id}`),
    facts,
    h('h2', {}, 'Reliability over time'),
    chartBox,
    h('h2', {}, 'SLA history'),
    h('p', { class: 'muted' }, 'Each oracle’s challenge outcome (with the failure reason), round decisions, anomalies, slashes and status changes, newest first.'),
    h('table', { 'data-testid': 'sla-history' }, h('thead', {}, h('tr', {}, h('th', {}, 'Block'), h('th', {}, 'What'), h('th', {}, 'Oracle'))), history),
  );
  let plot: uPlot | null = null;
  let plotted = -1;

  const fact = (label: string, value: Node | string, testid?: string) => [
    h('dt', {}, label),
    h('dd', testid ? { 'data-testid': testid } : {}, value),
  ];

  return {
    async refresh() {
      if (!Number.isInteger(id) || id < 0) {
        facts.replaceChildren(h('p', { class: 'error' }, `No node ${arg ?? ''}.`));
        return;
      }
      const [info, sla, clock] = await Promise.all([
        ctx.api.call.capacityMarketApi.node(id),
        ctx.api.call.slaOracleApi.nodeSla(id),
        eraOf(ctx.api, ctx.best()),
      ]);
      const n = info.toPrimitive() as Prim | null;
      const s = (sla.toPrimitive() ?? {}) as Prim;
      if (!n) {
        facts.replaceChildren(h('p', { class: 'error', 'data-testid': 'node-missing' }, `Node #${id} does not exist or has retired.`));
      } else {
        const status = String(n.status);
        const failure = lastFailure(ctx, id);
        const graceEras = Number(ctx.api.consts.slaOracle.graceEras.toPrimitive());
        const faultySince = s.faultySince === null || s.faultySince === undefined ? null : Number(s.faultySince);
        const graceEnd = faultySince === null ? null : faultySince + graceEras * clock.length;
        facts.replaceChildren(
          ...fact('Status', statusBadge(status), 'node-status'),
          ...fact('Failure reason', failure || '—', 'node-failure'),
          ...fact('HP', nameOf(String(n.hp))),
          ...fact('Cluster · class', `${n.cluster} · ${n.class}`),
          ...fact('Capacity (leased)', `${n.capacity} (${n.leased})`),
          ...fact('Price', `${icnt(BigInt(n.price as string | number))} per unit per era`),
          ...fact('Commitment end', `era ${n.commitmentEnd} (now ${clock.era})`),
          ...fact('Reliability', percent(Number(s.reliability ?? n.reliability))),
          ...fact(
            'Anomaly',
            faultySince === null
              ? 'none'
              : `since block ${faultySince}; grace until block ${graceEnd} (${Math.max(0, (graceEnd ?? 0) - ctx.best())} blocks left); ${s.recoveryPasses} passed round(s) toward recovery`,
          ),
          ...fact('Slashed (open anomaly)', icnt(BigInt((s.slashed as string | number) ?? 0))),
          ...fact('Latest round', `${s.round}: votes ${JSON.stringify(s.votes ?? [])}${s.decided === null || s.decided === undefined ? ', undecided' : s.decided ? ', passed' : ', failed'}`),
          ...fact('Endpoint', String(n.endpoint ?? '')),
        );
      }
      const entries = ctx.indexer.sla.get(id) ?? [];
      history.replaceChildren(
        ...entries
          .slice()
          .reverse()
          .map((e) =>
            h(
              'tr',
              { class: e.kind === 'report' ? (e.passed ? 'pass' : 'fail') : e.kind },
              h('td', { class: 'num' }, e.block),
              h('td', {}, e.text),
              h('td', {}, e.oracle ? nameOf(e.oracle) : ''),
            ),
          ),
      );
      if (entries.length === 0) {
        history.replaceChildren(h('tr', {}, h('td', { colspan: 3, class: 'muted' }, `Nothing in the blocks read (from #${ctx.indexer.from}).`)));
      }
      const decided = entries.filter((e) => e.kind === 'decided' && e.reliability !== undefined);
      if (decided.length !== plotted) {
        plotted = decided.length;
        plot?.destroy();
        chartBox.replaceChildren();
        if (decided.length > 0) {
          plot = new uPlot(
            {
              width: Math.min(900, root.clientWidth || 900),
              height: 200,
              scales: { x: { time: false }, y: { range: [0, 100] } },
              axes: [{ label: 'block' }, { label: 'reliability %' }],
              series: [{ label: 'block' }, { label: 'reliability %', stroke: '#2563eb' }],
            },
            [decided.map((e) => e.block), decided.map((e) => (e.reliability ?? 0) / 1e7)],
            chartBox,
          );
        } else {
          chartBox.append(h('p', { class: 'muted' }, 'No decided round yet.'));
        }
      }
    },
    dispose() {
      plot?.destroy();
    },
  };
}
