// My leases: the chosen account's open leases (`CapacityMarketApi.leases_of`), the escrow and
// deposits the market holds on it, the compensation due for its nodes' faulty eras, what
// settlements paid and compensated, and settle / cancel /
// renew (with a max price, SPEC §4.8) buttons.
import type { Context, Page } from '../main';
import { icnt, parseIcnt, send } from '../chain';
import { type LeaseRow, compensationDue, eraOf, loadHolds, loadLeases } from '../data';
import { h, Table } from '../ui';

export function leasesPage(root: HTMLElement, ctx: Context): Page {
  const who = h('p', { class: 'muted', 'data-testid': 'leases-account' });
  const holds = h('p', { 'data-testid': 'leases-holds' });
  const message = h('p', { 'data-testid': 'lease-message' });
  const renewEras = h('input', { type: 'number', min: 1, value: '5', size: 4, 'data-testid': 'renew-eras' });
  const renewMax = h('input', { value: '1', size: 8, 'data-testid': 'renew-max' });
  let era = 0;
  const notice = Number(ctx.api.consts.capacityMarket.cancelNoticeEras.toString());
  /// What `cancel_lease` accepts: not renewed, and the notice (`CancelNoticeEras` from now, not
  /// before what is settled) ends before the lease does.
  const cancellable = (l: LeaseRow) => !l.renewed && Math.max(era + notice, l.settledTo) < l.end;

  async function act(label: string, make: () => Parameters<typeof send>[0]): Promise<void> {
    const account = ctx.account();
    if (!account) {
      message.className = 'error';
      message.textContent = 'Choose an account first (the polkadot.js extension, or a dev account on a dev chain).';
      return;
    }
    message.className = '';
    message.textContent = `${label}…`;
    try {
      await send(make(), account);
      message.textContent = `${label}: done.`;
    } catch (e) {
      message.className = 'error';
      message.textContent = (e as Error).message;
    }
  }

  const table = new Table<LeaseRow>(
    [
      { key: 'id', label: 'Lease', cell: (l) => `#${l.id}`, sort: (l) => l.id, numeric: true },
      { key: 'node', label: 'Node', cell: (l) => h('a', { href: `#/node/${l.node}` }, `#${l.node}`), sort: (l) => l.node, numeric: true },
      { key: 'units', label: 'Units', cell: (l) => l.units, sort: (l) => l.units, numeric: true },
      { key: 'price', label: 'Price / unit / era', cell: (l) => icnt(l.price), sort: (l) => l.price, numeric: true },
      { key: 'eras', label: 'Eras', cell: (l) => `${l.start}..${l.end} (settled to ${l.settledTo})`, sort: (l) => l.end },
      { key: 'escrow', label: 'Escrow left', cell: (l) => icnt(l.escrow), sort: (l) => l.escrow, numeric: true },
      {
        key: 'due',
        label: 'Compensation due',
        cell: (l) => {
          const due = compensationDue(l, era);
          return h('span', { title: 'for the eras its node was faulty since it was last settled; paid back at the next settlement', 'data-due': due.toString() }, icnt(due));
        },
        sort: (l) => compensationDue(l, era),
        numeric: true,
      },
      {
        key: 'paid',
        label: 'Paid · compensated (blocks read)',
        cell: (l) => {
          const s = ctx.indexer.settlement(l.id);
          return s ? `${icnt(s.paid)} · ${icnt(s.compensation)}` : '—';
        },
      },
      {
        key: 'act',
        label: '',
        cell: (l) =>
          h(
            'span',
            { class: 'actions' },
            h('button', { 'data-testid': `settle-${l.id}`, onclick: () => void act(`Settling lease ${l.id}`, () => ctx.api.tx.capacityMarket.settleLease(l.id)) }, 'Settle'),
            h('button', { 'data-testid': `cancel-${l.id}`, disabled: !cancellable(l), title: cancellable(l) ? '' : 'The notice would reach past its end (or it is renewed)', onclick: () => void act(`Cancelling lease ${l.id}`, () => ctx.api.tx.capacityMarket.cancelLease(l.id)) }, 'Cancel'),
            h(
              'button',
              {
                'data-testid': `renew-${l.id}`,
                disabled: l.renewed,
                onclick: () => {
                  const max = parseIcnt(renewMax.value);
                  if (max === null) {
                    message.className = 'error';
                    message.textContent = 'The max price must be an ICNT amount, e.g. 0.01.';
                    return;
                  }
                  void act(`Renewing lease ${l.id}`, () =>
                    ctx.api.tx.capacityMarket.renewLease(l.id, Math.max(1, Number(renewEras.value) || 1), max),
                  );
                },
              },
              l.renewed ? 'Renewed' : 'Renew',
            ),
          ),
      },
    ],
    (l) => String(l.id),
    'leases',
  );
  root.append(
    h('h1', {}, 'My leases'),
    who,
    holds,
    h('p', {}, 'Renew for ', renewEras, ' eras at most ', renewMax, ' ICNT per unit per era.'),
    message,
    table.el,
  );
  return {
    async refresh() {
      const account = ctx.account();
      if (!account) {
        who.textContent = 'Choose an account to see its leases.';
        table.update([]);
        return;
      }
      who.textContent = `Leases paid for by ${account.name} (${account.address})`;
      const [leases, held, clock] = await Promise.all([loadLeases(ctx.api, account.address), loadHolds(ctx.api, account.address), eraOf(ctx.api, ctx.best())]);
      era = clock.era;
      holds.textContent = `Era ${era}. Escrow held: ${icnt(held.escrow)}; lease deposits held: ${icnt(held.deposits)}.`;
      table.update(leases);
    },
  };
}
