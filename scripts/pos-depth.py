#!/usr/bin/env python3
"""What an agent that keeps only a fraction eps of its plot must recompute to answer a challenge.

Simulation for the proof-of-space graph of icn_primitives::pos (SPEC §5.8,
docs/design/proof-of-space.md). The graph is the real one: `parents()` is imported from
scripts/pos-vectors.py (the independent Python implementation), with seed = 32 bytes of 7.

For a stored set S (|S| = eps·L) and every chunk v:

* depth(v) = 0 if v ∈ S, else 1 + max(depth(p) for p in parents(v)) (1 for an unstored chunk 0):
  the number of labels on the longest chain the cheater must compute one after the other;
* challenge depth c(v) = depth(v) if v ∉ S, else max(depth(p) for p in parents(v)): a challenge
  asks for v *and* its parents, so a stored chunk with an unstored parent is not free;
* work(v) = number of distinct unstored chunks among v, its parents and their unstored ancestors
  (DFS that stops at stored chunks): the labels a single-core cheater computes for one challenge.
  Exact, for a sample of challenged v drawn uniformly over all L chunks; work_k, the same for
  the k chunks of one round at once (their ancestors overlap, so work_k < k · work).

Strategies for S: (a) every k-th chunk (v % k == 0, k = 1/eps; evenly spaced when 1/eps is not
an integer); (b) eps·L uniformly random chunks; (c) the last eps·L chunks; (d) the eps·L chunks
with the most children (out-degree; ties broken at random); (e) iterative greedy (not one of the four asked for, added because it is
the strongest found): in each of 40 rounds store the eps·L/40 chunks that are a critical parent
(on a longest path) of the most unstored chunks — run up to L = 2^18 by default (it costs 40
depth passes).

The graph of L chunks is the prefix of the graph of 2^max chunks (parents depend on seed and v
only), so the parents are drawn once.

Pure Python (numpy is not needed). Usage:
    python3 scripts/pos-depth.py [--max-log2 22] [--deadline-labels 50000] [--k 16] ...
"""
import argparse
import bisect
import importlib.util
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("pos_vectors", os.path.join(HERE, "pos-vectors.py"))
pos_vectors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pos_vectors)
parents = pos_vectors.parents  # the graph itself: identical to the Rust `pos::parents`

THRESHOLDS = (1, 10, 100, 1_000, 10_000, 100_000)


def drs_parents(seed, v, n):
    """The first `n` DRSample parents of v, drawn as `parents()` draws its two (i = 1..n). For
    n = 2 this is the real graph (checked in main); n > 2 is a hypothetical graph of higher
    in-degree, for comparison only (--drs)."""
    out = []
    buckets = v.bit_length()  # floor(log2 v) + 1
    for i in range(1, n + 1):
        d = pos_vectors.h(b"icn/pos/v2/parent" + seed + v.to_bytes(4, "little") + bytes([i]))
        g_prime = int.from_bytes(d[0:8], "little") % buckets + 1
        g = min(1 << g_prime, v)
        low = max(g // 2, 1)
        out.append(v - (low + int.from_bytes(d[8:16], "little") % (g - low + 1)))
    return out


def draw_graph(n, seed, drs=2):
    """ps[i][v]: DRSample parent i of v (v − 1 is implicit); ps[i][0] = ps[i][1] = 0."""
    ps = [[0] * n for _ in range(drs)]
    if drs == 2:
        p1, p2 = ps
        for v in range(2, n):
            _, a, b = parents(seed, v)
            p1[v] = a
            p2[v] = b
    else:
        for v in range(2, n):
            for i, x in enumerate(drs_parents(seed, v, drs)):
                ps[i][v] = x
    return ps


def children_counts(L, ps):
    """Distinct children of every chunk in the graph of L chunks."""
    cnt = [0] * L
    for v in range(1, L):
        seen = {v - 1}
        for P in ps:
            seen.add(P[v])
        for u in seen:
            cnt[u] += 1
    return cnt


def take_top(score, m, st, rng):
    """Stores the m chunks of highest score not stored yet (score −1 = never), ties at random.
    Threshold c*: every chunk scoring above c*, a random subset of those scoring exactly c*
    (O(L), no sort by key)."""
    if m <= 0:
        return
    hist = {}
    for c in score:
        hist[c] = hist.get(c, 0) + 1
    need = m
    cstar = None
    for c in sorted(hist, reverse=True):
        if hist[c] >= need:
            cstar = c
            break
        need -= hist[c]
    ties = []
    for v, c in enumerate(score):
        if c > cstar:
            st[v] = 1
        elif c == cstar:
            ties.append(v)
    for v in rng.sample(ties, need):
        st[v] = 1


def iterative_set(L, m, ps, rng, rounds):
    """(e) Iterative greedy: in each of `rounds` rounds, compute the depths in G − S and store
    the m/rounds unstored chunks that are a *critical* parent (depth(p) = depth(v) − 1) of the
    most unstored chunks v, i.e. that lie on the most longest paths."""
    st = bytearray(L)
    for r in range(rounds):
        d, _ = depths(L, st, ps)
        score = [0] * L
        for v in range(1, L):
            if st[v]:
                continue
            want = d[v] - 1
            for p in [v - 1] + [P[v] for P in ps]:
                if d[p] == want and not st[p]:
                    score[p] += 1
        for v in range(L):
            if st[v]:
                score[v] = -1
        take_top(score, m // rounds if r < rounds - 1 else m - sum(st), st, rng)
    return st


def stored_set(strategy, L, eps, ps, rng, cnt_cache, rounds=40):
    m = int(round(eps * L))
    st = bytearray(L)
    if strategy == "a every-k":
        k = 1 / eps
        if abs(k - round(k)) < 1e-9:
            k = int(round(k))
            st[0::k] = b"\x01" * len(range(0, L, k))
        else:  # evenly spaced: v is stored when floor((v + 1)·eps) > floor(v·eps)
            for v in range(L):
                if int((v + 1) * eps) > int(v * eps):
                    st[v] = 1
    elif strategy == "b random":
        for v in rng.sample(range(L), m):
            st[v] = 1
    elif strategy == "c latest":
        st[L - m:] = b"\x01" * m
    elif strategy == "d out-degree":
        if L not in cnt_cache:
            cnt_cache.clear()
            cnt_cache[L] = children_counts(L, ps)
        take_top(cnt_cache[L], m, st, rng)
    elif strategy == "e iterative":
        st = iterative_set(L, m, ps, rng, rounds)
    else:
        raise ValueError(strategy)
    return st


def depths(L, st, ps):
    """depth(v) and the challenge depth c(v) for all v (see the module docs)."""
    d = [0] * L
    cd = [0] * L
    if not st[0]:
        d[0] = cd[0] = 1
    prev = d[0]
    two = len(ps) == 2
    if two:
        p1, p2 = ps
    for v in range(1, L):
        m = prev
        if two:
            b = d[p1[v]]
            c = d[p2[v]]
            if b > m:
                m = b
            if c > m:
                m = c
        else:
            for P in ps:
                b = d[P[v]]
                if b > m:
                    m = b
        if st[v]:
            prev = 0
            cd[v] = m
        else:
            prev = m + 1
            d[v] = prev
            cd[v] = prev
    return d, cd


def work_of(roots, st, ps, vis):
    """Distinct unstored chunks among the challenged chunks `roots`, their parents and their
    unstored ancestors: the labels a single-core cheater computes to answer them."""
    touched = []
    stack = []
    for v in roots:
        if not vis[v]:
            vis[v] = 1
            touched.append(v)
            stack.append(v)
    count = 0
    while stack:
        u = stack.pop()
        if not st[u]:
            count += 1
        if u == 0:
            continue
        for p in [u - 1] + [P[u] for P in ps]:
            if not vis[p]:
                vis[p] = 1
                touched.append(p)
                if not st[p]:
                    stack.append(p)
    for u in touched:
        vis[u] = 0
    return count


def pct(sorted_vals, q):
    if not sorted_vals:
        return 0
    i = min(len(sorted_vals) - 1, int(q * len(sorted_vals)))
    return sorted_vals[i]


def fmt_w(w, L):
    return "–" if w != w else f"{w / L:.3f}"


def fmt_frac(x):
    if x == 0:
        return "0"
    if x >= 0.995:
        return "1.00" if x == 1 else f"{x:.3f}"
    if x >= 0.01:
        return f"{x:.2f}"
    return f"{x:.1e}"


def fmt_p(x):
    if x == 0:
        return "0"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.1e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-log2", type=int, default=12)
    ap.add_argument("--max-log2", type=int, default=22)
    ap.add_argument("--step", type=int, default=2, help="log2 step between sizes")
    ap.add_argument("--eps", default="0.1,0.25,0.5")
    ap.add_argument("--deadline-labels", type=int, default=50_000,
                    help="D_deadline: sequential labels that fit in the deadline "
                         "(default 2000 ms / 40 us = 50,000)")
    ap.add_argument("--k", type=int, default=16, help="chunks per challenge")
    ap.add_argument("--samples", type=int, default=200, help="challenges sampled for work()")
    ap.add_argument("--work-budget", type=int, default=1 << 23,
                    help="at most this many chunks visited by the work() DFS per (L, strategy, eps); "
                         "fewer samples are taken when it is used up (at least --min-samples)")
    ap.add_argument("--min-samples", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds of k challenged chunks sampled for the union work")
    ap.add_argument("--rng-seed", type=int, default=1)
    ap.add_argument("--iter-rounds", type=int, default=40, help="rounds of strategy (e)")
    ap.add_argument("--iter-max-log2", type=int, default=18,
                    help="largest L (log2) for strategy (e), which costs rounds × a depth pass")
    ap.add_argument("--drs", type=int, default=2,
                    help="DRSample parents per chunk besides v − 1: 2 is the real graph; more is a "
                         "hypothetical graph of higher in-degree, for comparison")
    args = ap.parse_args()

    seed = bytes([7]) * 32
    eps_list = [float(x) for x in args.eps.split(",")]
    sizes = list(range(args.min_log2, args.max_log2 + 1, args.step))
    Dd = args.deadline_labels
    k = args.k
    strategies = ("a every-k", "b random", "c latest", "d out-degree", "e iterative")

    t0 = time.time()
    n = 1 << sizes[-1]
    ps = draw_graph(n, seed, args.drs)
    if args.drs == 2:
        assert all(drs_parents(seed, v, 2) == parents(seed, v)[1:] for v in range(2, 5000))
    t_graph = time.time() - t0

    print("# Proof-of-space plot: depth left to a cheater that stores a fraction eps of the chunks")
    print()
    graph = ("icn_primitives::pos parents (scripts/pos-vectors.py)" if args.drs == 2 else
             f"HYPOTHETICAL: v − 1 and {args.drs} DRSample parents (the real graph has 2)")
    print(f"Graph: {graph}, seed = [7; 32]. "
          f"D_deadline = {Dd:,} labels; k = {k} chunks per challenge; "
          f"work() sampled over up to {args.samples} challenges (uniform over all chunks).")
    print(f"Drawing the 2^{sizes[-1]}-chunk graph took {t_graph:.1f} s.")
    print()
    print("Columns: `≥D` = fraction of *all* L chunks (stored ones have depth 0) with depth ≥ D; "
          "p10/median/max over *unstored* chunks; work = mean distinct labels to answer one "
          "challenged chunk (n = samples); p = fraction of all chunks with depth < D_deadline, "
          "p^k = chance that all k challenged chunks are cheap; pc^k = the same with the challenge "
          "depth (a challenge also asks for the chunk's parents, so a stored chunk with a deep "
          "parent is not cheap).")
    rng = random.Random(args.rng_seed)
    summary = []
    for lg in sizes:
        L = 1 << lg
        cnt_cache = {}
        vis = bytearray(L)
        print()
        print(f"## L = 2^{lg} = {L:,} chunks ({L * 4096 / 2**30:g} GiB at 4 KiB)")
        print()
        hdr = ["strategy", "eps"] + [f"≥{D:,}" for D in THRESHOLDS] + \
              ["p10", "median", "max", "work (n)", "work/L", f"work{k}/L", "p", f"p^{k}", f"pc^{k}"]
        print("| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for eps in eps_list:
            for strat in strategies:
                if strat == "e iterative" and lg > args.iter_max_log2:
                    continue
                ts = time.time()
                st = stored_set(strat, L, eps, ps, rng, cnt_cache, args.iter_rounds)
                d, cd = depths(L, st, ps)
                n_stored = sum(st)
                sd = sorted(d)
                unstored = sd[n_stored:]
                fr = [(L - bisect.bisect_left(sd, D)) / L for D in THRESHOLDS]
                p_cheap = bisect.bisect_left(sd, Dd) / L
                scd = sorted(cd)
                pc_cheap = bisect.bisect_left(scd, Dd) / L
                # work on sampled challenges, within the budget
                budget = args.work_budget
                works = []
                while len(works) < args.samples:
                    if budget <= 0 and len(works) >= min(args.min_samples, args.samples):
                        break
                    w = work_of([rng.randrange(L)], st, ps, vis)
                    works.append(w)
                    budget -= max(w, 1) * 2
                mean_work = sum(works) / len(works) if works else float("nan")
                # one round: all k challenged chunks at once (their ancestors overlap)
                wk = [work_of([rng.randrange(L) for _ in range(k)], st, ps, vis)
                      for _ in range(args.rounds)]
                mean_wk = sum(wk) / len(wk) if wk else float("nan")
                row = [strat, f"{eps:g}"] + [fmt_frac(x) for x in fr] + [
                    f"{pct(unstored, 0.10):,}", f"{pct(unstored, 0.5):,}",
                    f"{(unstored[-1] if unstored else 0):,}",
                    f"{mean_work:,.0f} ({len(works)})" if works else "–",
                    f"{mean_work / L:.3f}" if works else "–", f"{mean_wk / L:.3f}" if wk else "–",
                    fmt_p(p_cheap), fmt_p(p_cheap ** k), fmt_p(pc_cheap ** k)]
                print("| " + " | ".join(row) + " |", flush=True)
                summary.append((lg, strat, eps, fr, pct(unstored, 0.5), mean_work, p_cheap,
                                pc_cheap, mean_wk, time.time() - ts))
    # Best strategy for the cheater at each (L, eps), metric by metric (the strategies differ:
    # one gives the smallest median, another the smallest maximum).
    print()
    print("## Best strategy for the cheater, metric by metric (strategy letter in brackets)")
    print()
    print(f"| L | eps | min ≥1,000 | min ≥10,000 | min median | median/L | min work/L | min work{k}/L "
          f"| max p | max p^{k} | max pc^{k} |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for lg in sizes:
        for eps in eps_list:
            rows = [s for s in summary if s[0] == lg and s[2] == eps]
            L = 1 << lg

            def best(key, pick=min):
                r = pick(rows, key=key)
                return r, r[1][0]

            r3, s3 = best(lambda s: s[3][3])
            r4, s4 = best(lambda s: s[3][4])
            rm, sm = best(lambda s: s[4])
            nan_last = lambda x: float("inf") if x != x else x
            rw, sw = best(lambda s: nan_last(s[5]))
            rk, sk = best(lambda s: nan_last(s[8]))
            rp, sp = best(lambda s: s[6], max)
            rc, sc = best(lambda s: s[7], max)
            print(f"| 2^{lg} | {eps:g} | {fmt_frac(r3[3][3])} ({s3}) | {fmt_frac(r4[3][4])} ({s4}) | "
                  f"{rm[4]:,} ({sm}) | {rm[4] / L:.3f} | {fmt_w(rw[5], L)} ({sw}) | {fmt_w(rk[8], L)} ({sk}) | "
                  f"{fmt_p(rp[6])} ({sp}) | {fmt_p(rp[6] ** k)} ({sp}) | {fmt_p(rc[7] ** k)} ({sc}) |")
    print()
    print(f"Total run time {time.time() - t0:.0f} s (pure Python {sys.version.split()[0]}).")


if __name__ == "__main__":
    main()
