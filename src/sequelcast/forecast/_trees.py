"""Evaluate a fitted ``HistGradientBoostingClassifier`` on a grid of rows (shows x times).

The discrete-time hazard model asks its classifier for the hazard of every show in every
period: rows that repeat one show's features with each period's time waited in the last column.
scikit-learn walks every tree for every row (shows x periods x trees). Here each tree is walked
once per show with the time left open: a split on the time cuts the time axis, a split on a
feature chooses a side for the show. Each leaf is then "these shows" x "these times", and the
tree's contribution to the grid is ``S @ T`` (``S``: shows x leaves, the leaf's value where the
show reaches it; ``T``: leaves x times, 1 where the time reaches it). A show and a time reach
exactly one leaf, so every product has one non-zero term and the sums are the same numbers
scikit-learn adds, tree by tree, in the same order: the probabilities are bit for bit the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit


def grid_available(classifier: Any) -> bool:
    """``True`` when :func:`grid_proba` can evaluate ``classifier`` (binary, no categorical split)."""
    predictors = getattr(classifier, "_predictors", None)
    if not predictors or getattr(classifier, "n_trees_per_iteration_", 0) != 1:
        return False
    return not any(bool(p.nodes["is_categorical"].any()) for (p,) in predictors)


def grid_proba(classifier: Any, features: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``P(class 1)`` of the rows ``[features[i], times[i, j]]`` for every ``i`` and ``j``.

    Parameters
    ----------
    classifier
        A fitted binary ``HistGradientBoostingClassifier`` whose last input column is the time
        (see :func:`grid_available`).
    features
        ``(n, p)``: every input column but the last (NaN follows the trees' missing-value side).
    times
        ``(m,)`` (the same times for every row) or ``(n, m)``: the values of the last column
        (finite).

    Returns
    -------
    numpy.ndarray
        ``(n, m)``, the same numbers as ``classifier.predict_proba(rows)[:, 1]`` on the
        ``n * m`` rows.
    """
    return TreeGrid(classifier, features, times, keep=False).proba()


class TreeGrid:
    """The classifier's trees on shows x times, kept so that variants of the features (some
    columns changed, as the explanations do) re-walk only the trees that split on them.

    See :func:`grid_proba` for the parameters; ``keep=False`` keeps nothing (one evaluation).
    """

    def __init__(
        self, classifier: Any, features: np.ndarray, times: np.ndarray, keep: bool = True
    ) -> None:
        F = np.asfortranarray(features, dtype=np.float64)  # columns are read one at a time
        T = np.asarray(times, dtype=np.float64)
        self._shared = T.ndim == 1
        self.F = F
        self.T = T
        self.time_col = F.shape[1]
        self.baseline = float(classifier._baseline_prediction[0, 0])
        self.trees: list[tuple[_Tree, np.ndarray, frozenset[int]]] = []
        self._contributions: list[np.ndarray] = []  # each tree's values on the grid
        self._raw = self._start()
        for (predictor,) in classifier._predictors:
            nodes = predictor.nodes
            inner = nodes["is_leaf"] == 0
            on_time = inner & (nodes["feature_idx"] == self.time_col)
            cuts = np.unique(nodes["num_threshold"][on_time])
            used = frozenset(int(f) for f in nodes["feature_idx"][inner & ~on_time])
            tree = _Tree.of(nodes)
            contribution = self._on_grid(self._walk(tree, cuts, F), cuts)
            self._raw += contribution
            if keep:
                self.trees.append((tree, cuts, used))
                self._contributions.append(contribution)

    def _start(self) -> np.ndarray:
        shape = (len(self.F), self.T.shape[-1])
        return np.full(shape, self.baseline)

    def _walk(self, tree: _Tree, cuts: np.ndarray, F: np.ndarray) -> np.ndarray:
        """``(n, len(cuts) + 1)``: the tree's value per row in each stretch of time between cuts
        (a time in ``(cuts[s - 1], cuts[s]]`` takes the same branch of every time split as
        ``cuts[s]``; after the last cut, as ``cuts[-1] + 1``)."""
        reps = np.append(cuts, cuts[-1] + 1.0) if len(cuts) else np.zeros(1)
        return np.column_stack([_tree_values(tree, F, self.time_col, float(r)) for r in reps])

    def _on_grid(self, values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
        """The tree's ``(n, m)`` values on the grid from its values per stretch of time."""
        if values.shape[1] == 1:
            return np.broadcast_to(values, (len(values), self.T.shape[-1]))
        seg = np.searchsorted(cuts, self.T, side="left")
        if self._shared:
            return values[:, seg]
        return np.take_along_axis(values, seg, axis=1)

    def proba(self, features: np.ndarray | None = None) -> np.ndarray:
        """``P(class 1)`` on the grid, for the kept features or for ``features`` (same rows, some
        columns changed: only the trees splitting on a changed column are walked again)."""
        if features is None:
            return np.asarray(expit(self._raw))
        if not self.trees:
            raise ValueError("TreeGrid: built with keep=False, it evaluates its own features only")
        F2 = np.asarray(features, dtype=np.float64)
        changed = frozenset(
            j
            for j in range(self.F.shape[1])
            if not np.array_equal(F2[:, j], self.F[:, j], equal_nan=True)
        )
        raw = self._start()
        F2 = np.asfortranarray(F2)
        for (tree, cuts, used), kept in zip(self.trees, self._contributions, strict=True):
            raw += self._on_grid(self._walk(tree, cuts, F2), cuts) if used & changed else kept
        return np.asarray(expit(raw))


@dataclass(frozen=True)
class _Tree:
    """One tree's nodes as plain lists (fast to read one node at a time)."""

    is_leaf: list[bool]
    feature: list[int]
    threshold: list[float]
    missing_left: list[bool]
    left: list[int]
    right: list[int]
    value: list[float]

    @classmethod
    def of(cls, nodes: np.ndarray) -> _Tree:
        return cls(
            (nodes["is_leaf"] != 0).tolist(),
            nodes["feature_idx"].astype(int).tolist(),
            nodes["num_threshold"].astype(float).tolist(),
            (nodes["missing_go_to_left"] != 0).tolist(),
            nodes["left"].astype(int).tolist(),
            nodes["right"].astype(int).tolist(),
            nodes["value"].astype(float).tolist(),
        )


def _tree_values(tree: _Tree, F: np.ndarray, time_col: int, t: float) -> np.ndarray:
    """The tree's leaf value for every row of ``F`` with the time ``t``: each split partitions
    the rows that reach it (a split on the time sends them all one way)."""
    out = np.empty(len(F))
    stack: list[tuple[int, np.ndarray | None]] = [(0, None)]  # None: every row
    while stack:
        idx, rows = stack.pop()
        if tree.is_leaf[idx]:
            out[slice(None) if rows is None else rows] = tree.value[idx]
            continue
        f, threshold = tree.feature[idx], tree.threshold[idx]
        if f == time_col:
            stack.append((tree.left[idx] if t <= threshold else tree.right[idx], rows))
            continue
        col = F[:, f] if rows is None else F[rows, f]
        go_left = col <= threshold
        if tree.missing_left[idx]:
            go_left |= np.isnan(col)
        if rows is None:
            rows = np.arange(len(F))
        stack.append((tree.left[idx], rows[go_left]))
        stack.append((tree.right[idx], rows[~go_left]))
    return out
