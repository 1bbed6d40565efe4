// A small indexer in the page: it reads each block's events and the oracles' reports in it, so
// the node pages can show an SLA history (rounds passed or failed and why, anomalies, grace,
// slashes, reliability over time) and the network page a chart of the last eras. It starts with
// the last `BACKFILL` blocks and then follows new heads: one block and one event query per
// block, never one request per node.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { icnt } from './chain';

/// Blocks read back at start (10 dev eras of 20 blocks).
export const BACKFILL = 200;
/// Requests in flight while backfilling.
const CONCURRENCY = 8;

export interface SlaEntry {
  block: number;
  kind: 'report' | 'decided' | 'anomaly' | 'recovering' | 'closed' | 'slashing' | 'slashed' | 'retired' | 'status';
  text: string;
  /// For `report`: whether this oracle's challenge passed, and why not.
  passed?: boolean;
  reason?: string;
  oracle?: string;
  round?: number;
  /// For `decided`: the reliability after the round, in Perbill parts.
  reliability?: number;
  /// For `slashed`: the HP and what it paid.
  hp?: string;
  amount?: bigint;
}

export interface EraPoint {
  era: number;
  block: number;
  subsidy: bigint;
  usage: bigint;
  /// `null` when unknown (an era paid in the same block as a later one).
  capacity: number | null;
  utilization: number | null;
}

type Listener = (block: number) => void;

/// Camel-cased event fields by name (`era`, `node`, …) as primitives.
export function fields(data: Codec[] & { names?: string[] | null }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = data.names ?? [];
  data.forEach((value, i) => {
    const name = (names[i] ?? String(i)).replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = value.toPrimitive();
  });
  return out;
}

/// A challenge outcome (`{ pass: { latencyMs } }` or `{ fail: reason }`) in words.
export function describeOutcome(outcome: unknown): { passed: boolean; reason: string } {
  const o = outcome as Record<string, unknown>;
  if (o && typeof o === 'object' && 'pass' in o) {
    const pass = o.pass as Record<string, unknown> | null;
    return { passed: true, reason: pass && 'latencyMs' in pass ? `passed in ${pass.latencyMs} ms` : 'passed' };
  }
  const fail = o && typeof o === 'object' && 'fail' in o ? o.fail : o;
  return { passed: false, reason: reasonText(fail) };
}

function reasonText(reason: unknown): string {
  if (typeof reason === 'string') return reason.charAt(0).toUpperCase() + reason.slice(1);
  if (reason && typeof reason === 'object') {
    const [key, value] = Object.entries(reason)[0] ?? ['unknown', null];
    const name = key.charAt(0).toUpperCase() + key.slice(1);
    return value === null || value === undefined ? name : `${name}(${String(value)})`;
  }
  return 'Unknown';
}

/// At most this many SLA entries are kept per node, and era points per group (the oldest go):
/// the page's memory stays bounded however long it stays open.
const MAX_ENTRIES = 500;
const MAX_ERAS = 100;
/// Attempts per block while backfilling.
const RETRIES = 3;

export class Indexer {
  readonly sla = new Map<number, SlaEntry[]>();
  /// `cluster/class` → the eras' rewards, capacity and utilization, oldest first.
  readonly eras = new Map<string, EraPoint[]>();
  /// Per lease and block, what its settlements paid the HP and gave back to the SP.
  private readonly settled = new Map<number, Map<number, { paid: bigint; compensation: bigint }>>();
  best = 0;
  /// The first block indexed: the history is complete from here to `best`.
  from = 0;
  /// The last error reading the chain (shown by the pages), `null` once a block reads again.
  error: string | null = null;
  /// The hash indexed at each height of the best chain (the recent `BACKFILL` heights): a new
  /// head whose ancestry differs (a fork switch on a multi-validator network) re-indexes the
  /// heights that changed.
  private hashes = new Map<number, string>();
  /// Heights whose indexing started and did not finish: their partial entries go on retry.
  private partial = new Set<number>();
  private listeners = new Set<Listener>();
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly api: ApiPromise) {}

  onBlock(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /// What each HP was slashed in the blocks read (every node of it, open anomalies or not).
  slashedByHp(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const list of this.sla.values()) {
      for (const e of list) {
        if (e.kind === 'slashed' && e.hp) out.set(e.hp, (out.get(e.hp) ?? 0n) + (e.amount ?? 0n));
      }
    }
    return out;
  }

  /// What the SP's lease was paid and compensated in the settlements read.
  settlement(lease: number): { paid: bigint; compensation: bigint } | undefined {
    const byBlock = this.settled.get(lease);
    if (!byBlock) return undefined;
    const sum = { paid: 0n, compensation: 0n };
    for (const s of byBlock.values()) {
      sum.paid += s.paid;
      sum.compensation += s.compensation;
    }
    return sum;
  }

  /// The chain's best block, so the pages can render before the history is read.
  async prime(): Promise<void> {
    this.best = (await this.api.rpc.chain.getHeader()).number.toNumber();
  }

  /// Reads the last `BACKFILL` blocks, then follows new heads. A block that cannot be read after
  /// `RETRIES` attempts ends the history there (it starts after it); errors never stop the
  /// following of new heads.
  async start(): Promise<void> {
    const header = await this.api.rpc.chain.getHeader();
    const best = header.number.toNumber();
    this.best = best;
    this.from = Math.max(1, best - BACKFILL + 1);
    const numbers = [];
    for (let n = this.from; n <= best; n += 1) numbers.push(n);
    let gap = 0;
    for (let i = 0; i < numbers.length; i += CONCURRENCY) {
      await Promise.all(
        numbers.slice(i, i + CONCURRENCY).map(async (n) => {
          for (let attempt = 1; ; attempt += 1) {
            try {
              await this.index(n, (await this.api.rpc.chain.getBlockHash(n)).toHex());
              return;
            } catch (e) {
              if (attempt >= RETRIES) {
                this.fail(e);
                gap = Math.max(gap, n);
                return;
              }
            }
          }
        }),
      );
    }
    if (gap > 0) this.startAt(gap + 1);
    for (const list of this.sla.values()) list.sort((a, b) => a.block - b.block);
    for (const list of this.eras.values()) list.sort((a, b) => a.era - b.era);
    this.prune();
    this.emit(best);
    this.unsubscribe = await this.api.rpc.chain.subscribeNewHeads((head) => {
      // One head after the other; a head that fails is retried by the next one's walk back.
      this.queue = this.queue
        .then(() => this.follow(head.number.toNumber(), head.hash.toHex(), head.parentHash.toHex()))
        .catch((e: unknown) => this.fail(e));
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.listeners.clear();
  }

  /// Indexes a new best head and whatever of its ancestry is not indexed yet: normally just the
  /// head (its parent is), several blocks after a missed head or a reconnection, and the changed
  /// heights after a fork switch. Blocks above the head on the abandoned fork are forgotten.
  private async follow(number: number, hash: string, parent: string): Promise<void> {
    const path: { number: number; hash: string }[] = [];
    let n = number;
    let h = hash;
    let p = parent;
    while (n >= this.from && this.hashes.get(n) !== h && path.length < BACKFILL) {
      path.push({ number: n, hash: h });
      n -= 1;
      h = p;
      if (n >= this.from && this.hashes.get(n) !== h) {
        p = (await this.api.rpc.chain.getHeader(h)).parentHash.toHex();
      }
    }
    // Further back than the window: the history restarts at the oldest block of the path.
    if (path.length >= BACKFILL && n >= this.from) this.startAt(path[path.length - 1].number);
    for (const b of path.reverse()) await this.index(b.number, b.hash);
    for (const height of [...this.hashes.keys()]) {
      if (height > number) this.forget(height);
    }
    this.best = number;
    this.error = null;
    this.prune();
    this.emit(number);
  }

  private fail(e: unknown): void {
    this.error = e instanceof Error ? e.message : String(e);
    console.warn('indexer', e);
  }

  /// The history starts at `height`: what came before it is dropped.
  private startAt(height: number): void {
    for (const n of [...this.hashes.keys(), ...this.partial]) if (n < height) this.forget(n);
    for (const [node, list] of this.sla) this.sla.set(node, list.filter((e) => e.block >= height));
    for (const [key, list] of this.eras) this.eras.set(key, list.filter((p) => p.block >= height));
    this.from = height;
  }

  /// Drops what was read from the block at `height` (a fork's block, or a partial read).
  private forget(height: number): void {
    this.hashes.delete(height);
    this.partial.delete(height);
    for (const [node, list] of this.sla) {
      if (list.some((e) => e.block === height)) this.sla.set(node, list.filter((e) => e.block !== height));
    }
    for (const [key, list] of this.eras) {
      if (list.some((p) => p.block === height)) this.eras.set(key, list.filter((p) => p.block !== height));
    }
    for (const byBlock of this.settled.values()) byBlock.delete(height);
  }

  /// Bounded memory: the newest `MAX_ENTRIES` per node and `MAX_ERAS` per group, and block hashes
  /// only for the last `BACKFILL` heights (deeper re-orgs are not followed).
  private prune(): void {
    for (const list of this.sla.values()) if (list.length > MAX_ENTRIES) list.splice(0, list.length - MAX_ENTRIES);
    for (const list of this.eras.values()) if (list.length > MAX_ERAS) list.splice(0, list.length - MAX_ERAS);
    for (const n of this.hashes.keys()) if (n <= this.best - BACKFILL) this.hashes.delete(n);
  }

  private emit(block: number): void {
    for (const l of this.listeners) l(block);
  }

  private push(node: number, entry: SlaEntry): void {
    const list = this.sla.get(node) ?? [];
    list.push(entry);
    this.sla.set(node, list);
  }

  private async index(number: number, hash: string): Promise<void> {
    if (this.hashes.get(number) === hash) return;
    if (this.hashes.has(number) || this.partial.has(number)) this.forget(number);
    this.partial.add(number);
    const [block, events] = await Promise.all([
      this.api.rpc.chain.getBlock(hash),
      this.api.query.system.events.at(hash),
    ]);
    // The oracles' reports: each outcome with its reason, which no event carries.
    for (const ex of block.block.extrinsics) {
      if (ex.method.section !== 'slaOracle' || ex.method.method !== 'submitReports') continue;
      const report = ex.method.args[0].toPrimitive() as {
        oracle: string;
        round: number;
        outcomes: [number, unknown][];
      };
      for (const [node, outcome] of report.outcomes) {
        const { passed, reason } = describeOutcome(outcome);
        this.push(Number(node), {
          block: number,
          kind: 'report',
          passed,
          reason,
          oracle: report.oracle,
          round: report.round,
          text: `round ${report.round}: ${passed ? 'pass' : 'fail'} (${reason})`,
        });
      }
    }
    const rewarded: EraPoint[] = [];
    for (const { event } of events as unknown as { event: { section: string; method: string; data: Codec[] & { names?: string[] | null } } }[]) {
      const f = fields(event.data);
      const node = Number(f.node);
      const key = `${event.section}.${event.method}`;
      switch (key) {
        case 'slaOracle.RoundDecided':
          this.push(node, {
            block: number,
            kind: 'decided',
            round: Number(f.round),
            passed: Boolean(f.passed),
            reliability: Number(f.reliability),
            text: `round ${f.round} decided: ${f.passed ? 'passed' : 'failed'}, reliability ${(Number(f.reliability) / 1e7).toFixed(1)}%`,
          });
          break;
        case 'slaOracle.AnomalyOpened':
          this.push(node, { block: number, kind: 'anomaly', text: `anomaly opened in era ${f.era} (grace from block ${f.at})` });
          break;
        case 'slaOracle.Recovering':
          this.push(node, { block: number, kind: 'recovering', text: `recovering: ${f.passes} passed round(s) in a row` });
          break;
        case 'slaOracle.AnomalyClosed':
          this.push(node, { block: number, kind: 'closed', text: 'anomaly closed' });
          break;
        case 'slaOracle.SlashingStarted':
          this.push(node, { block: number, kind: 'slashing', text: 'grace over: slashing' });
          break;
        case 'slaOracle.Slashed':
          this.push(node, { block: number, kind: 'slashed', hp: String(f.hp), amount: BigInt(f.amount as string | number), text: `slashed ${icnt(BigInt(f.amount as string | number))} (${f.eras} era(s))` });
          break;
        case 'slaOracle.ForceRetired':
        case 'slaOracle.RetiredUnderAnomaly':
        case 'capacityMarket.NodeForceRetired':
          this.push(node, { block: number, kind: 'retired', text: event.method });
          break;
        case 'capacityMarket.StatusChanged':
          this.push(node, { block: number, kind: 'status', text: `${f.from} → ${f.to}` });
          break;
        case 'capacityMarket.LeaseSettled': {
          const lease = Number(f.lease);
          const byBlock = this.settled.get(lease) ?? new Map<number, { paid: bigint; compensation: bigint }>();
          const s = byBlock.get(number) ?? { paid: 0n, compensation: 0n };
          s.paid += BigInt(f.paid as string | number);
          s.compensation += BigInt(f.compensation as string | number);
          byBlock.set(number, s);
          this.settled.set(lease, byBlock);
          break;
        }
        case 'clusterRewards.GroupRewarded': {
          const list = this.eras.get(`${f.cluster}/${f.class}`) ?? [];
          const point: EraPoint = {
            era: Number(f.era),
            block: number,
            subsidy: BigInt(f.subsidy as string | number),
            usage: BigInt(f.usage as string | number),
            capacity: null,
            utilization: null,
          };
          list.push(point);
          this.eras.set(`${f.cluster}/${f.class}`, list);
          rewarded.push(point);
          break;
        }
        default:
          break;
      }
    }
    if (rewarded.length > 0) {
      // Capacity and utilization as the era closed: the rewards API at the parent block (the
      // state before this block's era transition started the next era's counts). It describes
      // the era that just closed, the latest paid here; when one block pays several eras (a
      // chain catching up), the earlier ones have no capacity to show (a gap in the chart).
      const at = await this.api.at(block.block.header.parentHash);
      const rates = (await at.call.rewardsApi.allRates()).toPrimitive() as {
        cluster: number;
        class: string;
        capacity: number;
        utilization: number;
      }[];
      for (const r of rates) {
        const points = rewarded.filter((p) => this.eras.get(`${r.cluster}/${r.class}`)?.includes(p));
        const latest = points.reduce<EraPoint | null>((a, p) => (a === null || p.era > a.era ? p : a), null);
        if (latest) {
          latest.capacity = Number(r.capacity);
          latest.utilization = Number(r.utilization);
        }
      }
    }
    this.hashes.set(number, hash);
    this.partial.delete(number);
  }
}
