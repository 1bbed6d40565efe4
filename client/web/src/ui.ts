// A few DOM helpers: elements, and a sortable, filterable table.

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void)> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (typeof v === 'boolean') {
      if (v) el.setAttribute(k, '');
    } else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el: HTMLElement): HTMLElement {
  el.replaceChildren();
  return el;
}

export interface Column<R> {
  key: string;
  label: string;
  /// What the cell shows.
  cell: (row: R) => Child;
  /// What it sorts by (default: the cell's text).
  sort?: (row: R) => number | string | bigint;
  numeric?: boolean;
}

/// A table whose column headers sort it (click again to reverse) and whose rows a text filter
/// narrows. `update(rows)` re-renders the body keeping the sort and the filter.
export class Table<R> {
  readonly el: HTMLTableElement;
  private body: HTMLTableSectionElement;
  private rows: R[] = [];
  private sortKey: string;
  private descending = false;
  private filter: (row: R) => boolean = () => true;

  constructor(
    private readonly columns: Column<R>[],
    private readonly rowId: (row: R) => string,
    testid: string,
  ) {
    this.sortKey = columns[0]?.key ?? '';
    this.body = h('tbody');
    const head = h(
      'tr',
      {},
      columns.map((c) =>
        h(
          'th',
          {
            'data-key': c.key,
            class: c.numeric ? 'num sortable' : 'sortable',
            onclick: () => {
              if (this.sortKey === c.key) this.descending = !this.descending;
              else {
                this.sortKey = c.key;
                this.descending = false;
              }
              this.render();
            },
          },
          c.label,
        ),
      ),
    );
    this.el = h('table', { 'data-testid': testid }, h('thead', {}, head), this.body);
  }

  setFilter(filter: (row: R) => boolean): void {
    this.filter = filter;
    this.render();
  }

  update(rows: R[]): void {
    this.rows = rows;
    this.render();
  }

  private render(): void {
    const column = this.columns.find((c) => c.key === this.sortKey);
    const value = (r: R): number | string | bigint => {
      if (!column) return 0;
      if (column.sort) return column.sort(r);
      const c = column.cell(r);
      return c instanceof Node ? (c.textContent ?? '') : String(c ?? '');
    };
    const rows = this.rows.filter(this.filter).sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return this.descending ? -order : order;
    });
    for (const th of this.el.querySelectorAll('th')) {
      th.classList.toggle('sorted', th.dataset.key === this.sortKey);
      th.classList.toggle('desc', th.dataset.key === this.sortKey && this.descending);
    }
    this.body.replaceChildren(
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-id': this.rowId(r) },
          this.columns.map((c) => h('td', { class: c.numeric ? 'num' : '', 'data-col': c.key }, c.cell(r))),
        ),
      ),
    );
  }
}

/// A status word with its colour.
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status ${status.toLowerCase()}`, 'data-status': status }, status);
}
