"""The fitted anomaly ensemble as data, never as a pickle: JSON parameters and numpy arrays in one ``.npz``.

A stored model is read back with ``allow_pickle=False`` and rebuilt member by member, so a tampered store can at
worst make scores wrong (and is refused when its arrays do not hold together), never run code. Only the built-in
members (``IsolationForestScorer``, ``TailScorer``) can be stored. The isolation trees are rebuilt through
scikit-learn's own tree state, so the rebuilt model scores bit for bit as the fitted one; a payload written by
another scikit-learn version is refused (the caller refits), since the tree layout is that version's.

Layout: one header line ``molehunt-model 1 scikit-learn VERSION``, then an ``.npz`` whose ``meta`` array holds the
JSON of the parameters and whose other arrays are named in it (``m{i}_...`` for member ``i``).

Example:
    >>> import numpy as np
    >>> from molehunt.detect.anomaly import EnsembleScorer
    >>> X = np.random.default_rng(0).normal(size=(300, 3))
    >>> model = EnsembleScorer().fit(X)
    >>> bool(np.array_equal(loads(dumps(model)).score_samples(X), model.score_samples(X)))
    True
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.tree import ExtraTreeRegressor
from sklearn.tree._tree import NODE_DTYPE, TREE_LEAF, Tree

from molehunt.detect.anomaly.base import FloatArray, Scorer
from molehunt.detect.anomaly.ensemble import EnsembleScorer
from molehunt.detect.anomaly.isolation import IsolationForestScorer
from molehunt.detect.anomaly.tail import TailScorer

FORMAT_VERSION = 1
MAGIC = b"molehunt-model"
Arrays = dict[str, npt.NDArray[Any]]


class ModelStateError(ValueError):
    """A model cannot be stored (a member or parameter this format does not know) or a payload is not a model."""


def header() -> bytes:
    """The first line of every payload this molehunt writes; a stored payload with another one needs a refit."""
    return f"{MAGIC.decode()} {FORMAT_VERSION} scikit-learn {sklearn.__version__}".encode()


def dumps(model: EnsembleScorer) -> bytes:
    """The fitted ensemble as bytes (header line + npz). ModelStateError for a member other than the built-ins."""
    arrays: Arrays = {"weights_": np.asarray(model.weights_, dtype=np.float64)}
    members: list[dict[str, Any]] = []
    for i, (member, train) in enumerate(zip(model.scorers_, model.train_scores_, strict=True)):
        arrays[f"train_scores_{i}"] = np.asarray(train, dtype=np.float64)
        if type(member) is IsolationForestScorer:
            members.append(_dump_forest(member, i, arrays))
        elif type(member) is TailScorer:
            members.append(_dump_tail(member, i, arrays))
        else:
            raise ModelStateError(f"cannot store an ensemble member of type {type(member).__name__}")
    weights = None if model.weights is None else [float(w) for w in model.weights]
    meta = {"weights": weights, "n_features_in_": int(model.n_features_in_), "members": members}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
    return header() + b"\n" + out.getvalue()


def loads(data: bytes) -> EnsembleScorer:
    """The ensemble stored by `dumps`; ModelStateError when `data` is not one (another format or version, a pickle,
    arrays that do not hold together). Nothing in `data` is ever unpickled or executed."""
    first, newline, body = data.partition(b"\n")
    if not newline or not first.startswith(MAGIC + b" "):
        raise ModelStateError("not a molehunt model (an older, pickled format or another payload)")
    if first != header():
        stored = first.decode(errors="replace")
        raise ModelStateError(f"the model was stored as {stored!r}, this is {header().decode()!r}")
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as archive:
            arrays: Arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(_array(arrays, "meta", np.uint8).tobytes())
    except (OSError, ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise ModelStateError(f"the stored model is unreadable: {exc}") from exc
    return _load_ensemble(meta, arrays)


def _load_ensemble(meta: Any, arrays: Arrays) -> EnsembleScorer:
    if not isinstance(meta, dict) or not isinstance(meta.get("members"), list) or not meta["members"]:
        raise ModelStateError("the stored model names no members")
    n_features = _int(meta, "n_features_in_", 1)
    weights = meta.get("weights")
    if weights is not None and not (isinstance(weights, list) and all(isinstance(w, int | float) for w in weights)):
        raise ModelStateError("the stored weights are not a list of numbers")
    members: list[Scorer] = []
    fitted: list[Scorer] = []
    train_scores: list[FloatArray] = []
    for i, member in enumerate(meta["members"]):
        kind = member.get("kind") if isinstance(member, dict) else None
        if kind == "isolation_forest":
            members.append(IsolationForestScorer(**_forest_params(member)))
            fitted.append(_load_forest(member, i, arrays, n_features))
        elif kind == "tail":
            members.append(TailScorer())
            fitted.append(_load_tail(member, i, arrays, n_features))
        else:
            raise ModelStateError(f"unknown member kind {kind!r} in the stored model")
        train = _finite(arrays, f"train_scores_{i}")
        if train.ndim != 1 or not train.size or np.any(np.diff(train) < 0):
            raise ModelStateError(f"train_scores_{i} must be a non-empty sorted vector")
        train_scores.append(train)
    weights_ = _finite(arrays, "weights_")
    if weights_.shape != (len(members),) or np.any(weights_ < 0) or not np.isclose(weights_.sum(), 1.0):
        raise ModelStateError("weights_ must be one non-negative weight per member, summing to 1")
    model = EnsembleScorer(scorers=tuple(members), weights=None if weights is None else tuple(weights))
    model.scorers_ = fitted
    model.train_scores_ = train_scores
    model.weights_ = weights_
    model.n_features_in_ = n_features
    return model


def _dump_tail(member: TailScorer, i: int, arrays: Arrays) -> dict[str, Any]:
    arrays[f"m{i}_values"] = np.concatenate(member.values_).astype(np.float64)
    arrays[f"m{i}_at_least"] = np.concatenate(member.at_least_).astype(np.int64)
    arrays[f"m{i}_sizes"] = np.array([len(v) for v in member.values_], dtype=np.int64)
    return {"kind": "tail", "n_samples_fit_": int(member.n_samples_fit_)}


def _load_tail(meta: Mapping[str, Any], i: int, arrays: Arrays, n_features: int) -> TailScorer:
    values = _finite(arrays, f"m{i}_values")
    at_least = _array(arrays, f"m{i}_at_least", np.int64)
    sizes = _array(arrays, f"m{i}_sizes", np.int64)
    if sizes.shape != (n_features,) or np.any(sizes < 1) or sizes.sum() != values.size:
        raise ModelStateError(f"m{i}: the tail scorer's sizes do not match its values")
    if at_least.size != values.size + n_features:
        raise ModelStateError(f"m{i}: the tail scorer's sizes do not match its counts")
    scorer = TailScorer()
    scorer.values_, scorer.at_least_ = [], []
    bounds = np.cumsum(sizes)
    for j, (start, end) in enumerate(zip(bounds - sizes, bounds, strict=True)):
        column, counts = values[start:end], at_least[start + j : end + j + 1]
        if np.any(np.diff(column) <= 0) or np.any(np.diff(counts) > 0) or counts[-1] != 0:
            raise ModelStateError(f"m{i}: feature {j}'s values must be ascending with falling counts ending in 0")
        scorer.values_.append(column)
        scorer.at_least_.append(counts)
    scorer.n_samples_fit_ = _int(meta, "n_samples_fit_", 1)
    scorer.n_features_in_ = n_features
    return scorer


def _dump_forest(member: IsolationForestScorer, i: int, arrays: Arrays) -> dict[str, Any]:
    for name in ("n_estimators", "max_samples", "random_state"):
        value = getattr(member, name)
        if not (value is None or isinstance(value, int | float | str)) or isinstance(value, bool):
            raise ModelStateError(f"cannot store IsolationForestScorer.{name} = {value!r} (only numbers and names)")
    forest: IsolationForest = member.forest_
    states = [tree.tree_.__getstate__() for tree in forest.estimators_]
    # Concatenating structured arrays packs their fields; the trees need scikit-learn's padded layout.
    arrays[f"m{i}_nodes"] = np.concatenate([s["nodes"] for s in states]).astype(NODE_DTYPE)
    arrays[f"m{i}_values"] = np.concatenate([s["values"] for s in states])
    arrays[f"m{i}_node_counts"] = np.array([s["node_count"] for s in states], dtype=np.int64)
    arrays[f"m{i}_max_depths"] = np.array([s["max_depth"] for s in states], dtype=np.int64)
    arrays[f"m{i}_features"] = np.array(forest.estimators_features_, dtype=np.int64)
    arrays[f"m{i}_depths"] = np.concatenate(forest._decision_path_lengths).astype(np.float64)
    arrays[f"m{i}_path_lengths"] = np.concatenate(forest._average_path_length_per_tree).astype(np.float64)
    return {
        "kind": "isolation_forest",
        "params": {name: getattr(member, name) for name in ("n_estimators", "max_samples", "random_state")},
        "forest_params": forest.get_params(),
        "max_samples_": int(forest.max_samples_),
        "_max_samples": int(forest._max_samples),
        "_max_features": int(forest._max_features),
        "_n_samples": int(forest._n_samples),
        "offset_": float(forest.offset_),
    }


def _forest_params(meta: Mapping[str, Any]) -> dict[str, Any]:
    params = meta.get("params")
    if not isinstance(params, dict) or set(params) != {"n_estimators", "max_samples", "random_state"}:
        raise ModelStateError("the stored isolation forest's parameters are not its three (n_estimators ...)")
    if not all(v is None or isinstance(v, int | float | str) for v in params.values()):
        raise ModelStateError("the stored isolation forest's parameters must be numbers or names")
    return params


def _load_forest(meta: Mapping[str, Any], i: int, arrays: Arrays, n_features: int) -> IsolationForestScorer:
    params = _forest_params(meta)
    forest_params = meta.get("forest_params")
    allowed = IsolationForest().get_params()
    if not isinstance(forest_params, dict) or set(forest_params) != set(allowed):
        raise ModelStateError(f"m{i}: the stored forest parameters are not IsolationForest's")
    if not all(v is None or isinstance(v, bool | int | float | str) for v in forest_params.values()):
        raise ModelStateError(f"m{i}: the stored forest parameters must be numbers or names")
    nodes = arrays.get(f"m{i}_nodes")
    if nodes is None or nodes.dtype != NODE_DTYPE or nodes.ndim != 1:
        raise ModelStateError(f"m{i}: the stored tree nodes are not scikit-learn {sklearn.__version__}'s nodes")
    values = _finite(arrays, f"m{i}_values")
    counts = _array(arrays, f"m{i}_node_counts", np.int64)
    max_depths = _array(arrays, f"m{i}_max_depths", np.int64)
    features = _array(arrays, f"m{i}_features", np.int64)
    depths, path_lengths = _finite(arrays, f"m{i}_depths"), _finite(arrays, f"m{i}_path_lengths")
    n_trees = counts.size
    max_features = _int(meta, "_max_features", 1)
    if (
        n_trees < 1
        or np.any(counts < 1)
        or counts.sum() != nodes.size
        or max_depths.shape != (n_trees,)
        or np.any(max_depths < 0)
        or values.shape != (nodes.size, 1, 1)
        or depths.shape != (nodes.size,)
        or path_lengths.shape != (nodes.size,)
        or features.shape != (n_trees, max_features)
        or max_features > n_features
        or np.any((features < 0) | (features >= n_features))
    ):
        raise ModelStateError(f"m{i}: the stored forest's arrays do not match each other")
    forest = IsolationForest(**forest_params)
    forest.n_features_in_ = n_features
    forest.max_samples_ = _int(meta, "max_samples_", 1)
    forest._max_samples = _int(meta, "_max_samples", 1)
    forest._max_features = max_features
    forest._n_samples = _int(meta, "_n_samples", 1)
    offset = meta.get("offset_")
    if not isinstance(offset, int | float) or not np.isfinite(offset):
        raise ModelStateError(f"m{i}: the stored forest's offset_ is not a finite number")
    forest.offset_ = float(offset)
    forest.estimators_, forest.estimators_features_ = [], [row.copy() for row in features]
    ends = np.cumsum(counts)
    for t, (start, end) in enumerate(zip(ends - counts, ends, strict=True)):
        tree_nodes = nodes[start:end].copy()
        _check_tree(tree_nodes, max_features, f"m{i} tree {t}")
        tree = ExtraTreeRegressor(max_depth=int(max_depths[t]), max_features=1)
        tree.tree_ = Tree(max_features, np.array([1], dtype=np.intp), 1)
        state = {"max_depth": int(max_depths[t]), "node_count": int(counts[t]), "nodes": tree_nodes}
        tree.tree_.__setstate__(state | {"values": np.ascontiguousarray(values[start:end])})
        tree.n_features_in_, tree.n_outputs_, tree.max_features_ = max_features, 1, 1
        forest.estimators_.append(tree)
    forest._decision_path_lengths = tuple(depths[s:e] for s, e in zip(ends - counts, ends, strict=True))
    forest._average_path_length_per_tree = tuple(path_lengths[s:e] for s, e in zip(ends - counts, ends, strict=True))
    scorer = IsolationForestScorer(**params)
    scorer.forest_ = forest
    scorer.n_features_in_ = n_features
    return scorer


def _check_tree(nodes: npt.NDArray[Any], n_features: int, where: str) -> None:
    """The walk from the root stays inside the node array and ends: scikit-learn's compiled code does not check."""
    index = np.arange(nodes.size)
    left, right, feature = nodes["left_child"], nodes["right_child"], nodes["feature"]
    leaf = left == TREE_LEAF
    if np.any(leaf != (right == TREE_LEAF)):
        raise ModelStateError(f"{where}: a node has one child")
    # Children after their parent and inside the array: every walk moves forward, so it stays in bounds and ends.
    inner = ~leaf
    for child in (left, right):
        if np.any(inner & ((child <= index) | (child >= nodes.size))):
            raise ModelStateError(f"{where}: a child index points outside the tree or backwards")
    if np.any(inner & ((feature < 0) | (feature >= n_features))):
        raise ModelStateError(f"{where}: a split names a feature the tree does not have")
    if not np.all(np.isfinite(nodes["threshold"][inner])) or np.any(nodes["n_node_samples"] < 1):
        raise ModelStateError(f"{where}: a split threshold or node size is not valid")


def _array(arrays: Arrays, name: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
    found = arrays.get(name)
    if found is None or found.dtype != np.dtype(dtype):
        raise ModelStateError(f"the stored model's {name} is missing or not {np.dtype(dtype).name}")
    return found


def _finite(arrays: Arrays, name: str) -> FloatArray:
    found = _array(arrays, name, np.float64)
    if not np.all(np.isfinite(found)):
        raise ModelStateError(f"the stored model's {name} must be finite")
    return found


def _int(meta: Mapping[str, Any], name: str, least: int) -> int:
    value = meta.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise ModelStateError(f"the stored model's {name} must be an integer of at least {least}")
    return value
