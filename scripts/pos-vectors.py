#!/usr/bin/env python3
"""Independent test vectors of the proof-of-space plot format (icn_primitives::pos, SPEC §5.8).

Written from the format's description in primitives/src/pos.rs and docs/design/proof-of-space.md
with Python's hashlib only, so a mismatch with the Rust code shows a bug on one side. Writes
primitives/tests/vectors/{seed,parents,labels,root}.txt, which `pos::tests::test_vectors` reads.
"""
import hashlib
import os
import struct


def h(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def plot_seed(hp: bytes, passport: int, nonce: int) -> bytes:
    return h(b"icn/pos/v2/seed" + hp + struct.pack("<I", passport) + struct.pack("<Q", nonce))


def parents(seed: bytes, v: int):
    out = [max(v - 1, 0)] * 3
    if v <= 1:
        return out
    for i in (1, 2):
        d = h(b"icn/pos/v2/parent" + seed + struct.pack("<I", v) + bytes([i]))
        buckets = v.bit_length() - 1 + 1  # floor(log2 v) + 1
        g_prime = int.from_bytes(d[0:8], "little") % buckets + 1
        g = min(1 << g_prime, v)
        low = max(g // 2, 1)
        distance = low + int.from_bytes(d[8:16], "little") % (g - low + 1)
        out[i] = v - distance
    return out


def label(seed: bytes, v: int, parent_chunks, chunk_size: int) -> bytes:
    # The key binds every parent's last word, so no word starts before the parents are done.
    last = b"".join((p[-32:] if p is not None else bytes(32)) for p in parent_chunks)
    key = h(b"icn/pos/v2/label" + seed + struct.pack("<I", v) + last)
    prev = bytes(32)
    words = []
    for j in range(chunk_size // 32):
        ps = b"".join(
            (p[32 * j : 32 * j + 32] if p is not None else bytes(32)) for p in parent_chunks
        )
        w = h(key + struct.pack("<I", j) + prev + ps)
        words.append(w)
        prev = w
    return b"".join(words)


def plot(seed: bytes, leaves: int, chunk_size: int):
    chunks = []
    for v in range(leaves):
        if v == 0:
            chunks.append(label(seed, 0, [None, None, None], chunk_size))
        else:
            chunks.append(label(seed, v, [chunks[p] for p in parents(seed, v)], chunk_size))
    return chunks


def proof_root(seed: bytes, leaf_count: int, chunk_size: int, tree_root: bytes) -> bytes:
    return h(
        bytes([3]) + b"icn/pos/v2/root" + seed + struct.pack("<I", leaf_count)
        + struct.pack("<I", chunk_size) + tree_root
    )


def main():
    out = os.path.join(os.path.dirname(__file__), "..", "primitives", "tests", "vectors")
    os.makedirs(out, exist_ok=True)
    hp = bytes([1] * 32)
    seed = plot_seed(hp, 5, 9)
    files = {
        "seed.txt": seed.hex(),
        "parents.txt": "\n".join(" ".join(map(str, parents(seed, v))) for v in range(1, 17)),
        "labels.txt": "\n".join(h(c).hex() for c in plot(seed, 4, 4096)),
        "root.txt": proof_root(plot_seed(hp, 5, 9), 300, 4096, bytes([2] * 32)).hex(),
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
