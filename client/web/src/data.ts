// Reads of the chain state the pages show. Storage maps are read in pages (`entries()`: keys
// by `state_getKeysPaged`, values by `state_queryStorageAt` in batches), runtime APIs once per
// group or per HP — never one request per node.
import type { ApiPromise } from '@polkadot/api';
import { hexToString, isHex } from '@polkadot/util';

export const CLASSES = ['Storage', 'Gpu', 'Cpu'] as const;

export interface ClusterRow {
  id: number;
  region: string;
  classes: string[];
}

export interface NodeRow {
  id: number;
  hp: string;
  passport: number;
  cluster: number;
  class: string;
  capacity: number;
  leased: number;
  free: number;
  price: bigint;
  commitmentEnd: number;
  endpoint: string;
  status: string;
  /// Perbill parts.
  reliability: number;
  faultySince: number | null;
  passes: number;
  slashed: bigint;
}

export interface GroupRow {
  cluster: number;
  region: string;
  class: string;
  capacity: number;
  proven: number;
  free: number;
  utilization: number;
  minPrice: bigint | null;
  maxPrice: bigint | null;
  subsidyPerEra: bigint;
  usageThisEra: bigint;
  feesThisEra: bigint;
  lastSubsidy: bigint;
  lastUsage: bigint;
  byStatus: Record<string, number>;
}

type Prim = Record<string, unknown>;

const big = (v: unknown): bigint => BigInt((v as string | number | bigint | null) ?? 0);
const num = (v: unknown): number => Number(v ?? 0);

/// A `BoundedVec<u8>` of UTF-8 text (a region, an endpoint) as `toPrimitive` gives it: the text
/// itself when it is printable, else its bytes in hex.
function text(bytes: unknown): string {
  if (typeof bytes !== 'string') return '';
  return isHex(bytes) ? hexToString(bytes) : bytes;
}

export async function loadClusters(api: ApiPromise): Promise<ClusterRow[]> {
  const entries = await api.query.capacityMarket.clusters.entries();
  return entries
    .map(([key, value]) => {
      const v = (value.toPrimitive() ?? {}) as Prim;
      return {
        id: num(key.args[0].toPrimitive()),
        region: text(v.region),
        classes: (v.classes as string[] | undefined) ?? [],
      };
    })
    .sort((a, b) => a.id - b.id);
}

/// Every node that has not retired, with its SLA record.
export async function loadNodes(api: ApiPromise): Promise<NodeRow[]> {
  const [nodes, records] = await Promise.all([
    api.query.capacityMarket.nodes.entries(),
    api.query.slaOracle.records.entries(),
  ]);
  const sla = new Map<number, Prim>();
  for (const [key, value] of records) {
    sla.set(num(key.args[0].toPrimitive()), (value.toPrimitive() ?? {}) as Prim);
  }
  return nodes
    .map(([key, value]) => {
      const id = num(key.args[0].toPrimitive());
      const n = (value.toPrimitive() ?? {}) as Prim;
      const r = sla.get(id) ?? {};
      const capacity = num(n.capacity);
      const leased = num(n.leased);
      return {
        id,
        hp: String(n.hp),
        passport: num(n.passport),
        cluster: num(n.cluster),
        class: String(n.class),
        capacity,
        leased,
        free: n.status === 'Active' ? Math.max(0, capacity - leased) : 0,
        price: big(n.price),
        commitmentEnd: num(n.commitmentEnd),
        endpoint: text(n.endpoint),
        status: String(n.status),
        reliability: r.reliability === undefined ? 1e9 : num(r.reliability),
        faultySince: r.faultySince === null || r.faultySince === undefined ? null : num(r.faultySince),
        passes: num(r.passes),
        slashed: big(r.slashed),
      };
    })
    .sort((a, b) => a.id - b.id);
}

/// Per cluster and class: capacity and free capacity, utilization, the candidates' price range
/// (cheapest to most expensive `Active` node with free capacity), this era's rewards
/// (`RewardsApi`) and nodes by status.
export async function loadGroups(
  api: ApiPromise,
  clusters: ClusterRow[],
  nodes: NodeRow[],
): Promise<GroupRow[]> {
  const rates = ((await api.call.rewardsApi.allRates()).toPrimitive() ?? []) as Prim[];
  const groups: GroupRow[] = [];
  for (const c of clusters) {
    for (const cls of c.classes) {
      const rate = rates.find((r) => num(r.cluster) === c.id && r.class === cls) ?? {};
      const free = num((await api.call.capacityMarketApi.freeCapacity(c.id, cls)).toPrimitive());
      const members = nodes.filter((n) => n.cluster === c.id && n.class === cls);
      const candidates = members.filter((n) => n.status === 'Active' && n.free > 0).map((n) => n.price);
      const byStatus: Record<string, number> = {};
      for (const n of members) byStatus[n.status] = (byStatus[n.status] ?? 0) + 1;
      groups.push({
        cluster: c.id,
        region: c.region,
        class: cls,
        capacity: rate.capacity === undefined ? members.reduce((s, n) => s + (n.status === 'Active' ? n.capacity : 0), 0) : num(rate.capacity),
        proven: num(rate.proven),
        free,
        utilization: num(rate.utilization),
        minPrice: candidates.length ? candidates.reduce((a, b) => (a < b ? a : b)) : null,
        maxPrice: candidates.length ? candidates.reduce((a, b) => (a > b ? a : b)) : null,
        subsidyPerEra: big(rate.subsidyPerEra),
        usageThisEra: big(rate.usageThisEra),
        feesThisEra: big(rate.feesThisEra),
        lastSubsidy: big(rate.lastSubsidy),
        lastUsage: big(rate.lastUsage),
        byStatus,
      });
    }
  }
  return groups;
}

export interface HpRow {
  hp: string;
  commission: number;
  bond: bigint;
  unbonding: bigint;
  poolValue: bigint;
  delegators: number;
  requirement: bigint;
  shortfall: bigint;
  coverage: string;
  nodes: NodeRow[];
  slashed: bigint;
  /// Average reliability of its live nodes, Perbill parts.
  reliability: number;
  /// What its nodes earned in the last era, estimated from their groups' rewards.
  /// Its `Active` nodes' share of their groups' rewards per era: at the last finished era's
  /// payout, and at this era's rates so far (projected subsidy + usage reward, before the cap).
  eraReward: bigint;
  eraRewardNow: bigint;
}

/// Every bonded HP, with `CollateralApi.collateralOf` (one call per HP).
export async function loadHps(api: ApiPromise, nodes: NodeRow[], groups: GroupRow[]): Promise<HpRow[]> {
  // Only the keys: every figure shown comes from `collateralOf`, not the raw ledger.
  const ledgers = await api.query.collateral.hps.keys();
  const rows: HpRow[] = [];
  for (const key of ledgers) {
    const hp = String(key.args[0].toPrimitive());
    const info = ((await api.call.collateralApi.collateralOf(hp)).toPrimitive() ?? null) as Prim | null;
    if (!info) continue;
    const requirement = (info.requirement ?? {}) as Prim;
    const mine = nodes.filter((n) => n.hp === hp);
    const live = mine.filter((n) => n.status !== 'Pending');
    let eraReward = 0n;
    let eraRewardNow = 0n;
    for (const n of mine.filter((m) => m.status === 'Active')) {
      // Its group's rewards shared by capacity (an estimate: the chain shares by capacity ×
      // reliability × commitment bonus and by time in the era).
      const g = groups.find((x) => x.cluster === n.cluster && x.class === n.class);
      if (g && g.capacity > 0) {
        eraReward += ((g.lastSubsidy + g.lastUsage) * BigInt(n.capacity)) / BigInt(g.capacity);
        eraRewardNow += ((g.subsidyPerEra + g.usageThisEra) * BigInt(n.capacity)) / BigInt(g.capacity);
      }
    }
    rows.push({
      hp,
      commission: num(info.commission),
      bond: big(info.selfBond),
      unbonding: big(info.selfUnbonding) + big(info.poolUnbonding),
      poolValue: big(info.poolValue),
      delegators: num(info.delegators),
      requirement: big(requirement.selfComponent) + big(requirement.networkComponent),
      shortfall: big(info.shortfall),
      coverage: coverageOf(info.status),
      nodes: mine,
      slashed: mine.reduce((s, n) => s + n.slashed, 0n),
      reliability: live.length ? live.reduce((s, n) => s + n.reliability, 0) / live.length : 1e9,
      eraReward,
      eraRewardNow,
    });
  }
  return rows.sort((a, b) => (a.hp < b.hp ? -1 : 1));
}

/** `CoverageStatus` as JSON (`{ covered: null }`, `{ topUp: { until } }`, `"Covered"`) in words. */
export function coverageOf(status: unknown): string {
  if (typeof status === 'string') return status;
  if (status && typeof status === 'object') {
    const [k, v] = Object.entries(status as Record<string, unknown>)[0] ?? ['unknown', null];
    const name = k.charAt(0).toUpperCase() + k.slice(1);
    const until = (v as Prim | null)?.until;
    if (name === 'TopUp' && until !== undefined) return `Top-up window until era ${String(until)}`;
    return name;
  }
  return String(status);
}

/// What delegating `amount` to `hp` would earn per era, at this era's rates (`now`) or at the
/// last era's payout: the HP's era reward less commission, shared by the pool and the bond, of
/// which `amount` would hold `amount / (bond + pool + amount)`.
export function delegationEstimate(hp: HpRow, amount: bigint, now = true): bigint {
  const total = hp.bond + hp.poolValue + amount;
  if (total === 0n) return 0n;
  const reward = now ? hp.eraRewardNow : hp.eraReward;
  const afterCommission = (reward * BigInt(1e9 - hp.commission)) / 1_000_000_000n;
  return (afterCommission * amount) / total;
}

export interface LeaseRow {
  id: number;
  node: number;
  units: number;
  price: bigint;
  start: number;
  end: number;
  settledTo: number;
  renewed: boolean;
  /// Escrow still held for it: `units × price × (end − settled_to)`.
  escrow: bigint;
  /// Its node's fault intervals (`start..end` eras, an open one ending at `u32::MAX`).
  faults: [number, number][];
}

/// Eras in `from..to` that overlap any of `faults`: the market's `faulty_eras`.
export function faultyEras(faults: [number, number][], from: number, to: number): number {
  return faults.reduce((sum, [start, end]) => sum + Math.max(0, Math.min(end, to) - Math.max(start, from)), 0);
}

/// What settling `lease` in `era` would give back to the SP for the eras its node was faulty
/// (before a force-retirement's refund): `units × price` per faulty era since `settled_to`.
export function compensationDue(lease: LeaseRow, era: number): bigint {
  const to = Math.min(era, lease.end);
  const eras = Math.min(faultyEras(lease.faults, lease.settledTo, to), Math.max(0, to - lease.settledTo));
  return BigInt(lease.units) * lease.price * BigInt(eras);
}

export async function loadLeases(api: ApiPromise, sp: string): Promise<LeaseRow[]> {
  const leases = ((await api.call.capacityMarketApi.leasesOf(sp)).toPrimitive() ?? []) as [number, Prim][];
  // The leases' nodes in one request, for their fault intervals.
  const ids = [...new Set(leases.map(([, l]) => num(l.node)))];
  const nodes = ids.length ? await api.query.capacityMarket.nodes.multi(ids) : [];
  const faults = new Map<number, [number, number][]>();
  ids.forEach((id, i) => {
    const n = (nodes[i]?.toPrimitive() ?? {}) as Prim;
    faults.set(id, ((n.faults ?? []) as [number, number][]).map(([a, b]) => [num(a), num(b)]));
  });
  return leases.map(([id, l]) => {
    const units = num(l.units);
    const price = big(l.price);
    const end = num(l.end);
    const settledTo = num(l.settledTo);
    return {
      id: num(id),
      node: num(l.node),
      units,
      price,
      start: num(l.start),
      end,
      settledTo,
      renewed: Boolean(l.renewed),
      escrow: BigInt(units) * price * BigInt(Math.max(0, end - settledTo)),
      faults: faults.get(num(l.node)) ?? [],
    };
  });
}

/// What `who` has held by the market: escrow and lease deposits.
export async function loadHolds(api: ApiPromise, who: string): Promise<{ escrow: bigint; deposits: bigint }> {
  const holds = ((await api.query.balances.holds(who)).toPrimitive() ?? []) as Prim[];
  let escrow = 0n;
  let deposits = 0n;
  for (const h of holds) {
    const id = JSON.stringify(h.id);
    if (id.includes('capacityMarket')) {
      if (/escrow/i.test(id)) escrow += big(h.amount);
      else deposits += big(h.amount);
    }
  }
  return { escrow, deposits };
}

/// The era of block `block` (the chain's clock: `block / era_length`) and the era length.
export async function eraOf(api: ApiPromise, block: number): Promise<{ era: number; length: number }> {
  const length = Math.max(1, num((await api.query.slaOracle.eraLength()).toPrimitive()));
  return { era: Math.floor(block / length), length };
}
