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
}

export interface EraPoint {
  era: number;
  block: number;
  subsidy: bigint;
  usage: bigint;
  capacity: number;
  utilization: number;
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

export class Indexer {
  readonly sla = new Map<number, SlaEntry[]>();
  /// `cluster/class` → the eras' rewards, capacity and utilization, oldest first.
  readonly eras = new Map<string, EraPoint[]>();
  /// Per lease, what its settlements in the blocks read paid the HP and gave back to the SP.
  readonly settlements = new Map<number, { paid: bigint; compensation: bigint }>();
  best = 0;
  /// The first block indexed.
  from = 0;
  private done = new Set<number>();
  private listeners = new Set<Listener>();
  private unsubscribe: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly api: ApiPromise) {}

  onBlock(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const header = await this.api.rpc.chain.getHeader();
    const best = header.number.toNumber();
    this.from = Math.max(1, best - BACKFILL + 1);
    const numbers = [];
    for (let n = this.from; n <= best; n += 1) numbers.push(n);
    for (let i = 0; i < numbers.length; i += CONCURRENCY) {
      await Promise.all(numbers.slice(i, i + CONCURRENCY).map((n) => this.index(n)));
    }
    this.best = best;
    for (const list of this.sla.values()) list.sort((a, b) => a.block - b.block);
    for (const list of this.eras.values()) list.sort((a, b) => a.era - b.era);
    this.emit(best);
    this.unsubscribe = await this.api.rpc.chain.subscribeNewHeads((head) => {
      const n = head.number.toNumber();
      // One block after the other, filling any gap (a missed head, a reconnection).
      this.queue = this.queue.then(async () => {
        for (let m = Math.max(this.best + 1, n - BACKFILL + 1); m <= n; m += 1) await this.index(m);
        if (n > this.best) this.best = n;
        this.emit(n);
      }).catch((e: unknown) => console.warn('indexer', e));
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.listeners.clear();
  }

  private emit(block: number): void {
    for (const l of this.listeners) l(block);
  }

  private push(node: number, entry: SlaEntry): void {
    const list = this.sla.get(node) ?? [];
    list.push(entry);
    this.sla.set(node, list);
  }

  private async index(number: number): Promise<void> {
    if (this.done.has(number)) return;
    this.done.add(number);
    const hash = await this.api.rpc.chain.getBlockHash(number);
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
    let rewarded = false;
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
          this.push(node, { block: number, kind: 'slashed', text: `slashed ${icnt(BigInt(f.amount as string | number))} (${f.eras} era(s))` });
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
          const s = this.settlements.get(lease) ?? { paid: 0n, compensation: 0n };
          s.paid += BigInt(f.paid as string | number);
          s.compensation += BigInt(f.compensation as string | number);
          this.settlements.set(lease, s);
          break;
        }
        case 'clusterRewards.GroupRewarded': {
          const list = this.eras.get(`${f.cluster}/${f.class}`) ?? [];
          list.push({
            era: Number(f.era),
            block: number,
            subsidy: BigInt(f.subsidy as string | number),
            usage: BigInt(f.usage as string | number),
            capacity: 0,
            utilization: 0,
          });
          this.eras.set(`${f.cluster}/${f.class}`, list);
          rewarded = true;
          break;
        }
        default:
          break;
      }
    }
    if (rewarded) {
      // Capacity and utilization as the era closed: the rewards API at the parent block (the
      // state before this block's era transition started the next era's counts).
      const at = await this.api.at(block.block.header.parentHash);
      const rates = (await at.call.rewardsApi.allRates()).toPrimitive() as {
        cluster: number;
        class: string;
        capacity: number;
        utilization: number;
      }[];
      for (const r of rates) {
        const point = this.eras.get(`${r.cluster}/${r.class}`)?.find((p) => p.block === number);
        if (point) {
          point.capacity = Number(r.capacity);
          point.utilization = Number(r.utilization);
        }
      }
    }
  }
}
