"""Pure NumPy kernels for the SMOTE family: exact k-NN inside one bucket, the
draw of synthetic points, and the bookkeeping that keeps totals exact.

No Spark import: these run inside pandas UDFs and are tested in milliseconds.
Everything random takes a ``numpy.random.Generator`` made by :func:`bucket_rng`
from (seed, class, bucket), never module state, because Python workers are
reused across tasks.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

# Queries per distance block: keeps the block (queries x points) of float64
# near 32 MB whatever the bucket size.
_BLOCK_CELLS = 4_000_000


def bucket_rng(seed: int, class_id: int, bucket: int, stream: int = 0) -> np.random.Generator:
    """A generator seeded from (seed, class, bucket, stream) only.

    ``stream`` separates independent uses in one bucket (e.g. draws and tie breaks).
    """
    return np.random.default_rng(
        np.random.SeedSequence([int(seed) % 2**64, int(class_id), int(bucket), int(stream)])
    )


def kneighbors(
    points: np.ndarray,
    k: int,
    queries: Optional[np.ndarray] = None,
    exclude: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Indices into ``points`` of the ``k`` nearest points of every query.

    Parameters
    ----------
    points : ndarray of shape (n, d)
    k : int
        Neighbours per query.
    queries : ndarray of shape (m, d), optional
        Default: ``points`` themselves, each excluding itself.
    exclude : ndarray of shape (m,), optional
        For each query, the index of a point that is not its neighbour (the
        query itself when queries are rows of ``points``). imbalanced-learn
        asks for k + 1 neighbours and drops the first instead, which keeps a
        duplicate in place of the point itself: the same distances.

    Returns
    -------
    ndarray of shape (m, k), int64, nearest first; ties broken by index.

    Examples
    --------
    >>> kneighbors(np.array([[0.0], [1.0], [3.0]]), 1)
    array([[1],
           [0],
           [1]])
    """
    points = np.asarray(points, dtype=np.float64)
    if queries is None:
        queries, exclude = points, np.arange(len(points))
    queries = np.asarray(queries, dtype=np.float64)
    n, m = len(points), len(queries)
    if k < 1 or k > n - (exclude is not None):
        raise ValueError(f"k={k} neighbours asked among {n} points")
    sq_points = np.einsum("ij,ij->i", points, points)
    block = max(1, _BLOCK_CELLS // max(n, 1))
    out = np.empty((m, k), dtype=np.int64)
    for start in range(0, m, block):
        q = queries[start : start + block]
        dist = sq_points[None, :] - 2.0 * (q @ points.T)
        dist += np.einsum("ij,ij->i", q, q)[:, None]
        if exclude is not None:
            dist[np.arange(len(q)), exclude[start : start + block]] = np.inf
        # argpartition, then a stable sort of the k candidates (in index order)
        # by distance, so that ties resolve by index: rows arrive sorted by hash.
        if k < n:
            part = np.argpartition(dist, k - 1, axis=1)[:, :k]
        else:
            part = np.tile(np.arange(n), (len(q), 1))
        part.sort(axis=1)
        order = np.argsort(np.take_along_axis(dist, part, axis=1), axis=1, kind="stable")
        out[start : start + block] = np.take_along_axis(part, order, axis=1)
    return out


def draw_pairs(
    rng: np.random.Generator, n_rows: int, n_neighbors: int, n_samples: int, step: float = 1.0
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """imbalanced-learn's draw: seed rows and neighbour slots uniformly over
    the (row, neighbour) pairs, and a step ``u * step`` with u uniform in [0, 1).

    Returns ``(rows, cols, steps)``; ``steps`` has shape (n_samples, 1).
    """
    pairs = rng.integers(0, n_rows * n_neighbors, size=n_samples)
    steps = step * rng.random(n_samples)[:, None]
    return pairs // n_neighbors, pairs % n_neighbors, steps


def interpolate(
    x: np.ndarray, neighbors: np.ndarray, rows: np.ndarray, targets: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """Synthetic points ``x[rows] + steps * (neighbors[targets] - x[rows])``."""
    base = x[rows]
    return base + steps * (neighbors[targets] - base)


def allocate(total: int, weights: Sequence[float]) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` that sum to
    ``total`` exactly (largest remainder; ties go to the lower index, so the
    split depends only on the weights' order).

    Examples
    --------
    >>> allocate(10, [1, 1, 1]).tolist()
    [4, 3, 3]
    """
    w = np.asarray(weights, dtype=np.float64)
    if total == 0 or len(w) == 0:
        return np.zeros(len(w), dtype=np.int64)
    if w.sum() <= 0:
        w = np.ones_like(w)
    share = total * w / w.sum()
    base = np.floor(share).astype(np.int64)
    rest = int(total - base.sum())
    if rest:
        order = np.lexsort((np.arange(len(w)), -(share - base)))
        base[order[:rest]] += 1
    return base


def most_frequent(
    codes: np.ndarray, neighbor_rows: np.ndarray, n_codes: int, rng: np.random.Generator
) -> np.ndarray:
    """For each synthetic row, the most frequent code among its neighbours
    (``codes[neighbor_rows[i]]``), ties broken at random as imbalanced-learn does.

    ``codes`` holds integer codes in [0, n_codes); ``neighbor_rows`` has shape
    (n_samples, k).
    """
    n_samples = len(neighbor_rows)
    tally = np.zeros((n_samples, n_codes), dtype=np.int64)
    sample_index = np.repeat(np.arange(n_samples), neighbor_rows.shape[1])
    np.add.at(tally, (sample_index, codes[neighbor_rows].ravel()), 1)
    is_max = tally == tally.max(axis=1, keepdims=True)
    # A random key per candidate; the best-keyed candidate among the maxima wins.
    keys = np.where(is_max, rng.random(tally.shape), -1.0)
    return keys.argmax(axis=1)


def mixed_distance_points(
    numeric: np.ndarray, codes: Sequence[np.ndarray], median_std: float
) -> np.ndarray:
    """Numeric features followed by one-hot columns scaled by
    ``median_std / sqrt(2)``: two rows that differ in a category are then
    ``median_std`` apart in that feature, as in imbalanced-learn's SMOTENC."""
    blocks = [np.asarray(numeric, dtype=np.float64)]
    scale = median_std / np.sqrt(2.0)
    for c in codes:
        one_hot = np.zeros((len(c), int(c.max()) + 1 if len(c) else 0))
        one_hot[np.arange(len(c)), c] = scale
        blocks.append(one_hot)
    return np.hstack(blocks)


def other_class_fraction(labels_of_neighbors: np.ndarray, own: int) -> np.ndarray:
    """Per row, the fraction of its neighbours whose class code differs from ``own``."""
    return (labels_of_neighbors != own).mean(axis=1)
