// Unit tests of the page's indexer (src/indexer.ts) against a fake chain: what a multi-validator
// network does to a page that follows best heads — a fork switch replaces blocks already read,
// a missed head leaves a gap, a read fails — and the history must still be exactly the best
// chain's. `npm run test:unit` (esbuild bundles this file for Node; no browser, no node).
import assert from 'node:assert/strict';
import { Indexer } from '../src/indexer';

// The indexer logs what it could not read; here that is the point of the test.
console.warn = () => {};

/// A block of the fake chain: each carries one `StatusChanged` event naming its hash, so the
/// history shows which fork each entry came from.
interface FakeBlock {
  number: number;
  hash: string;
  parent: string;
}

const codec = (v: unknown) => ({ toPrimitive: () => v });

class FakeChain {
  blocks = new Map<string, FakeBlock>();
  best: FakeBlock;
  /// Hashes whose reads fail (once each, unless `always`).
  failing = new Map<string, { always: boolean }>();
  private heads: ((h: unknown) => void) | null = null;

  constructor() {
    this.best = { number: 0, hash: 'g', parent: '' };
    this.blocks.set('g', this.best);
  }

  /// Extends `parent` by one block named `hash` and makes it the best head.
  add(hash: string, parent: string, announce = true): void {
    const p = this.blocks.get(parent);
    assert.ok(p, `parent ${parent}`);
    const b = { number: p.number + 1, hash, parent };
    this.blocks.set(hash, b);
    this.best = b;
    if (announce) this.heads?.(this.header(b));
  }

  private header(b: FakeBlock) {
    return {
      number: { toNumber: () => b.number },
      hash: { toHex: () => b.hash },
      parentHash: { toHex: () => b.parent },
    };
  }

  private canonical(n: number): FakeBlock {
    let b = this.best;
    while (b.number > n) b = this.blocks.get(b.parent) as FakeBlock;
    return b;
  }

  private read(hash: string): FakeBlock {
    const f = this.failing.get(hash);
    if (f) {
      if (!f.always) this.failing.delete(hash);
      throw new Error(`cannot read ${hash}`);
    }
    const b = this.blocks.get(hash);
    if (!b) throw new Error(`unknown ${hash}`);
    return b;
  }

  api(): unknown {
    const names = ['node', 'from', 'to'];
    const events = (b: FakeBlock) => {
      const data = [codec(1), codec('Active'), codec(b.hash)] as unknown[] & { names?: string[] };
      data.names = names;
      return [{ event: { section: 'capacityMarket', method: 'StatusChanged', data } }];
    };
    return {
      rpc: {
        chain: {
          getHeader: async (hash?: string) => this.header(hash ? this.read(hash) : this.best),
          getBlockHash: async (n: number) => ({ toHex: () => this.canonical(n).hash }),
          getBlock: async (hash: string) => {
            this.read(hash);
            return { block: { extrinsics: [], header: { parentHash: this.read(hash).parent } } };
          },
          subscribeNewHeads: async (cb: (h: unknown) => void) => {
            this.heads = cb;
            return () => {
              this.heads = null;
            };
          },
        },
      },
      query: { system: { events: { at: async (hash: string) => events(this.read(hash)) } } },
    };
  }
}

/// The hashes the indexer's history names, by block number.
function history(ix: Indexer): string[] {
  return (ix.sla.get(1) ?? []).map((e) => `${e.block}:${e.text.split(' → ')[1]}`);
}

const settle = async (ix: Indexer) => {
  // Let the queued head handlers run.
  for (let i = 0; i < 20; i += 1) await new Promise((r) => setTimeout(r, 0));
  return ix;
};

const tests: [string, () => Promise<void>][] = [
  [
    'a fork switch replaces the abandoned blocks with the best chain’s',
    async () => {
      const chain = new FakeChain();
      for (const h of ['a1', 'a2', 'a3']) chain.add(h, chain.best.hash, false);
      const ix = new Indexer(chain.api() as never);
      await ix.start();
      assert.deepEqual(history(ix), ['1:a1', '2:a2', '3:a3']);
      // Another validator's fork from a1 becomes best: b2, b3, b4 (only b4 is announced).
      chain.add('b2', 'a1', false);
      chain.add('b3', 'b2', false);
      chain.add('b4', 'b3');
      await settle(ix);
      assert.deepEqual(history(ix), ['1:a1', '2:b2', '3:b3', '4:b4']);
      assert.equal(ix.best, 4);
    },
  ],
  [
    'a shorter fork becoming best forgets the blocks above it',
    async () => {
      const chain = new FakeChain();
      for (const h of ['a1', 'a2', 'a3']) chain.add(h, chain.best.hash, false);
      const ix = new Indexer(chain.api() as never);
      await ix.start();
      chain.add('b2', 'a1');
      await settle(ix);
      assert.deepEqual(history(ix), ['1:a1', '2:b2']);
    },
  ],
  [
    'a missed head: the next one fills the gap',
    async () => {
      const chain = new FakeChain();
      chain.add('a1', 'g', false);
      const ix = new Indexer(chain.api() as never);
      await ix.start();
      chain.add('a2', 'a1', false);
      chain.add('a3', 'a2', false);
      chain.add('a4', 'a3');
      await settle(ix);
      assert.deepEqual(history(ix), ['1:a1', '2:a2', '3:a3', '4:a4']);
    },
  ],
  [
    'a block that fails to read is retried by the next head, with no entry twice',
    async () => {
      const chain = new FakeChain();
      chain.add('a1', 'g', false);
      const ix = new Indexer(chain.api() as never);
      await ix.start();
      chain.failing.set('a2', { always: false });
      chain.add('a2', 'a1');
      await settle(ix);
      assert.deepEqual(history(ix), ['1:a1']);
      assert.match(ix.error ?? '', /cannot read a2/);
      chain.add('a3', 'a2');
      await settle(ix);
      assert.deepEqual(history(ix), ['1:a1', '2:a2', '3:a3']);
      assert.equal(ix.error, null);
    },
  ],
  [
    'a backfill block that never reads: the history starts after it, and heads are still followed',
    async () => {
      const chain = new FakeChain();
      for (const h of ['a1', 'a2', 'a3']) chain.add(h, chain.best.hash, false);
      chain.failing.set('a2', { always: true });
      const ix = new Indexer(chain.api() as never);
      await ix.start();
      assert.equal(ix.from, 3);
      assert.deepEqual(history(ix), ['3:a3']);
      chain.add('a4', 'a3');
      await settle(ix);
      assert.deepEqual(history(ix), ['3:a3', '4:a4']);
    },
  ],
];

let failed = 0;
for (const [name, run] of tests) {
  try {
    await run();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}\n${e instanceof Error ? e.stack : String(e)}`);
  }
}
if (failed > 0) process.exit(1);
console.log(`indexer: ${tests.length} tests passed`);
