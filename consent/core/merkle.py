"""RFC 9162 Merkle trees over event hashes: leaf and node hashing, roots, audit paths,
consistency proofs, and their verification. Standard library only.

leaf = SHA-256(0x00 ‖ the 32 bytes of the event hash); node = SHA-256(0x01 ‖ left ‖ right);
the empty tree's root is SHA-256 of nothing. Trees are addressed by a function
`subtree(start, end)` that gives MTH(D[start:end]), so callers can serve stored nodes.
"""

import hashlib
from collections.abc import Callable

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(event_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(size: int) -> int:
    """The largest power of two smaller than size (size > 1): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)


# --- building: a frontier of perfect subtrees, so appending costs O(log n) ---


def append(frontier: list[tuple[int, bytes]], leaf: bytes, on_merge=None) -> None:
    """Add one leaf to the frontier [(size, hash), …] of left-aligned perfect subtrees.

    `on_merge(size, index, hash)` is told of every perfect subtree completed (size ≥ 2),
    indexed by its position among subtrees of that size."""
    frontier.append((1, leaf))
    leaves = sum(size for size, _ in frontier)
    while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
        (size, left), (_, right) = frontier[-2], frontier[-1]
        merged = node_hash(left, right)
        frontier[-2:] = [(size * 2, merged)]
        if on_merge:  # the merged subtree is the last one: it ends at the last leaf
            on_merge(size * 2, (leaves - size * 2) // (size * 2), merged)


def extend(frontier: list[tuple[int, bytes]], size: int, event_hashes, on_merge=None) -> int:
    """append() for many leaves, given as event hashes (hex); returns the new leaf count.

    `size` is the number of leaves the frontier holds. The n-th leaf completes one subtree
    per trailing zero bit of n, so no sum over the frontier is needed per leaf: a million
    leaves cost two million SHA-256 calls and little else."""
    sha256, fromhex = hashlib.sha256, bytes.fromhex
    for event_hash in event_hashes:
        frontier.append((1, sha256(b"\x00" + fromhex(event_hash)).digest()))
        size += 1
        width = 2
        while not size % width:
            merged = sha256(b"\x01" + frontier[-2][1] + frontier[-1][1]).digest()
            frontier[-2:] = [(width, merged)]
            if on_merge:
                on_merge(width, size // width - 1, merged)
            width <<= 1
    return size


def root(frontier: list[tuple[int, bytes]]) -> bytes:
    """MTH of the whole tree: the frontier's subtrees folded from the right."""
    if not frontier:
        return EMPTY_ROOT
    result = frontier[-1][1]
    for _size, subtree_hash in reversed(frontier[:-1]):
        result = node_hash(subtree_hash, result)
    return result


# --- proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) over a subtree function ---

Subtree = Callable[[int, int], bytes]


def inclusion_path(index: int, size: int, subtree: Subtree, start: int = 0) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf `index` in the tree of `size` leaves."""
    if size <= 1:
        return []
    k = split(size)
    if index < k:
        return inclusion_path(index, k, subtree, start) + [subtree(start + k, start + size)]
    return inclusion_path(index - k, size - k, subtree, start + k) + [subtree(start, start + k)]


def consistency_path(old: int, new: int, subtree: Subtree) -> list[bytes]:
    """PROOF(m, D[n]): that the tree of `old` leaves is a prefix of the tree of `new`."""
    if old == 0 or old == new:
        return []
    return _subproof(old, new, True, subtree, 0)


def _subproof(m: int, n: int, whole: bool, subtree: Subtree, start: int) -> list[bytes]:
    if m == n:
        return [] if whole else [subtree(start, start + n)]
    k = split(n)
    if m <= k:
        return _subproof(m, k, whole, subtree, start) + [subtree(start + k, start + n)]
    return _subproof(m - k, n - k, False, subtree, start + k) + [subtree(start, start + k)]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ---


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root_hash: bytes):
    """Whether `leaf` is leaf `index` of the tree of `size` leaves with this root."""
    if index >= size:
        return False
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root_hash


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, path) -> bool:
    """Whether the tree of `old` leaves and `old_root` is a prefix of the newer one."""
    if old > new:
        return False
    if old == new:
        return old_root == new_root and not path
    if old == 0:
        return not path
    path = list(path)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
