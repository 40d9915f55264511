"""Typed inputs of the scoring engine: method settings, framework tree, observation cube.

Everything here is plain Python, numpy and pandas (no Django). The method settings are
stored with every score (``MethodSettings.as_dict``) and identified by ``method_id``,
which changes whenever any setting changes. See ``scoring/engine/README.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

# Column names of the frames going in and out of the engine.
PLACE = "place"
REFERENCE_SET = "reference_set"
PERIOD = "period"
INDICATOR = "indicator"
VALUE = "value"
LOWER_CI = "lower_ci"
UPPER_CI = "upper_ci"
POPULATION = "population"
ROW_KEYS = (PLACE, REFERENCE_SET, PERIOD)
GROUP_KEYS = (REFERENCE_SET, PERIOD)

HEADLINE = "headline"
DOMAIN = "domain"
SUBDOMAIN = "subdomain"
INDICATOR_LEVEL = "indicator"
NODE_LEVELS = (HEADLINE, DOMAIN, SUBDOMAIN)
WEIGHTINGS = ("unweighted", "population")
AGGREGATIONS = ("arithmetic", "geometric")
TRANSFORMS = ("none", "log")


def categorical(codes: npt.NDArray[np.integer[Any]], categories: list[Any]) -> pd.Categorical:
    """Categorical from integer codes (-1 = missing), cheap for millions of rows."""
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))


def level_categorical(level_rank: npt.NDArray[np.integer[Any]]) -> pd.Categorical:
    """Level names from level ranks (0 headline, 1 domain, 2 subdomain)."""
    return categorical(level_rank, list(NODE_LEVELS))


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class MethodSettings:
    """Every choice of the method that the public TPI material leaves open.

    ``version`` names the method edition; ``method_id`` adds a short hash of all
    settings, so two scores with the same ``method_id`` were computed the same way.
    """

    version: str = "tpi-2024-m1"
    k: float = 2.0
    centre: float = 5.0
    cap: tuple[float, float] = (0.0, 10.0)
    reference_weighting: str = "unweighted"
    aggregation: str = "arithmetic"
    min_coverage: float = 0.0
    hidden_weakness_quantile: float = 0.1
    robustness_draws: int = 200
    robustness_seed: int = 0
    robustness_k: tuple[float, ...] = (1.5, 2.0, 2.5)
    robust_share: float = 0.8

    def __post_init__(self) -> None:
        # Stored settings come back from JSON with lists; keep tuples so the object
        # stays hashable and equal to the original.
        object.__setattr__(self, "cap", tuple(float(c) for c in self.cap))
        object.__setattr__(self, "robustness_k", tuple(float(k) for k in self.robustness_k))
        low, high = self.cap
        problems = []
        if not self.k > 0:
            problems.append("k must be > 0")
        if len(self.cap) != 2 or not low < high:
            problems.append("cap must be (low, high) with low < high")
        elif not low <= self.centre <= high:
            problems.append("centre must lie within cap")
        if self.reference_weighting not in WEIGHTINGS:
            problems.append(f"reference_weighting must be one of {WEIGHTINGS}")
        if self.aggregation not in AGGREGATIONS:
            problems.append(f"aggregation must be one of {AGGREGATIONS}")
        if not 0.0 <= self.min_coverage <= 1.0:
            problems.append("min_coverage must be within [0, 1]")
        if not 0.0 < self.hidden_weakness_quantile < 1.0:
            problems.append("hidden_weakness_quantile must be within (0, 1)")
        if self.robustness_draws < 1:
            problems.append("robustness_draws must be >= 1")
        if not self.robustness_k or any(not k > 0 for k in self.robustness_k):
            problems.append("robustness_k must hold positive values")
        if not 0.0 < self.robust_share <= 1.0:
            problems.append("robust_share must be within (0, 1]")
        if problems:
            raise ValueError("Invalid method settings: " + "; ".join(problems))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples as lists) to store beside every score."""
        out = dataclasses.asdict(self)
        out["cap"] = list(self.cap)
        out["robustness_k"] = list(self.robustness_k)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MethodSettings:
        """Inverse of ``as_dict``; unknown keys are an error (a typo must not pass)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown method settings: {unknown}")
        return cls(**data)

    @property
    def method_id(self) -> str:
        """``<version>-<8 hex digits of SHA-256 over the sorted settings JSON>``."""
        payload = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return f"{self.version}-{hashlib.sha256(payload.encode()).hexdigest()[:8]}"

    def replace(self, **changes: Any) -> MethodSettings:
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Node:
    """A headline element, domain or subdomain. Indicators are ``IndicatorSlot``s.

    ``weight`` (finite, > 0) is the node's relative weight among its siblings in its
    parent's mean; the index uses 1 everywhere, bespoke frameworks may not.
    """

    id: str
    parent: str | None
    level: str
    label: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class IndicatorSlot:
    """An indicator placed in the tree under a subdomain or a leaf domain.

    ``polarity`` is +1 when higher is better, -1 when lower is better (neutral
    indicators cannot be scored). ``transform`` is applied before standardising.
    ``weight`` (finite, > 0) is the slot's relative weight in its node's mean.
    """

    id: str
    node: str
    indicator: str
    polarity: int = 1
    transform: str = "none"
    label: str = ""
    weight: float = 1.0


_LEVEL_RANK = {HEADLINE: 0, DOMAIN: 1, SUBDOMAIN: 2}


def _weight_problem(kind: str, key: str, weight: Any) -> str | None:
    if isinstance(weight, bool) or not isinstance(weight, int | float | np.number):
        return f"{kind} {key!r}: weight must be a number"
    if not (math.isfinite(float(weight)) and float(weight) > 0):
        return f"{kind} {key!r}: weight must be finite and > 0"
    return None


@dataclass(frozen=True, eq=False)
class TreeIndex:
    """Array form of a ``FrameworkTree`` used by the vectorised computations.

    Nodes are numbered in the order given; slots likewise. ``node_slots`` and
    ``node_children`` list each node's members for the per-node loops; the 0/1
    matrices turn subtree counts (indicator coverage) into one matrix product.
    """

    node_ids: tuple[str, ...]
    node_levels: tuple[str, ...]
    level_rank: IntArray  # 0 headline, 1 domain, 2 subdomain
    parent_pos: IntArray  # -1 for headlines
    slot_ids: tuple[str, ...]
    slot_indicators: tuple[str, ...]
    slot_node_pos: IntArray
    polarity: FloatArray
    log_slots: BoolArray
    slot_weight: FloatArray  # (slots,) relative weight in the slot's node
    node_weight: FloatArray  # (nodes,) relative weight in the parent's mean
    holder_mask: BoolArray  # node holds indicator slots directly
    slot_member: FloatArray  # (slots, nodes): slot j sits directly in node n
    child_member: FloatArray  # (nodes, nodes): node c is a child of node p
    slot_ancestor: FloatArray  # (slots, nodes): node n is the slot's node or above it
    n_expected: FloatArray  # expected children (slots for holders, nodes otherwise)
    n_indicators_expected: FloatArray  # expected slots in the whole subtree
    node_slots: tuple[IntArray, ...]  # slots sitting directly in each node
    node_children: tuple[IntArray, ...]  # child nodes of each node

    @property
    def holder_pos(self) -> IntArray:
        return np.flatnonzero(self.holder_mask)

    @cached_property
    def is_weighted(self) -> bool:
        """False when every weight is 1: the plain means of the published index."""
        return bool((self.slot_weight != 1.0).any() or (self.node_weight != 1.0).any())

    def ancestors_of_slot(self, slot: int) -> IntArray:
        return np.flatnonzero(self.slot_ancestor[slot])


@dataclass(frozen=True, eq=False)
class FrameworkTree:
    """Headline → domain → subdomain nodes plus indicator slots.

    Rules (checked on construction): ids unique; a headline has no parent, a domain's
    parent is a headline, a subdomain's parent a domain; a slot sits under any node
    that has no child nodes (subdomains, and leaf domains such as Sustainability's and
    Equality's in 2024); polarity is +1 or -1; transform is "none" or "log"; every
    weight is a finite number > 0. A node's score is the weighted mean of its present
    children (weights renormalised over the children present), see ``aggregate``.
    """

    nodes: tuple[Node, ...]
    slots: tuple[IndicatorSlot, ...]

    REQUIRED_NODE_COLUMNS: ClassVar[tuple[str, ...]] = ("id", "parent", "level")
    REQUIRED_SLOT_COLUMNS: ClassVar[tuple[str, ...]] = ("id", "node", "indicator", "polarity")

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "slots", tuple(self.slots))
        problems: list[str] = []
        by_id: dict[str, Node] = {}
        for node in self.nodes:
            if node.id in by_id:
                problems.append(f"duplicate node id {node.id!r}")
            by_id[node.id] = node
        for node in self.nodes:
            weight_problem = _weight_problem("node", node.id, node.weight)
            if weight_problem:
                problems.append(weight_problem)
            if node.level not in _LEVEL_RANK:
                problems.append(f"node {node.id!r}: level must be one of {NODE_LEVELS}")
                continue
            if node.level == HEADLINE:
                if node.parent is not None:
                    problems.append(f"headline {node.id!r} cannot have a parent")
                continue
            parent = by_id.get(node.parent) if node.parent is not None else None
            if parent is None:
                problems.append(f"node {node.id!r}: unknown parent {node.parent!r}")
            elif _LEVEL_RANK.get(parent.level, -9) != _LEVEL_RANK[node.level] - 1:
                problems.append(
                    f"node {node.id!r} ({node.level}) cannot sit under {parent.level} {parent.id!r}"
                )
        with_children = {n.parent for n in self.nodes if n.parent is not None}
        slot_ids: set[str] = set()
        for slot in self.slots:
            if slot.id in slot_ids:
                problems.append(f"duplicate slot id {slot.id!r}")
            slot_ids.add(slot.id)
            if slot.node not in by_id:
                problems.append(f"slot {slot.id!r}: unknown node {slot.node!r}")
            elif slot.node in with_children:
                problems.append(
                    f"slot {slot.id!r}: node {slot.node!r} has child nodes; indicators "
                    "sit only under nodes without children"
                )
            if slot.polarity not in (1, -1):
                problems.append(f"slot {slot.id!r}: polarity must be +1 or -1")
            if slot.transform not in TRANSFORMS:
                problems.append(f"slot {slot.id!r}: transform must be one of {TRANSFORMS}")
            weight_problem = _weight_problem("slot", slot.id, slot.weight)
            if weight_problem:
                problems.append(weight_problem)
        if problems:
            raise ValueError("Invalid framework tree: " + "; ".join(problems))

    @classmethod
    def from_frames(cls, nodes: pd.DataFrame, slots: pd.DataFrame) -> FrameworkTree:
        """Build from two frames.

        ``nodes``: id, parent (None/NaN for headlines), level, optional label, weight.
        ``slots``: id, node, indicator, polarity (+1/-1), optional transform, label,
        weight. A missing weight (no column, or None/NaN in it) is 1.
        """
        for frame, required, name in (
            (nodes, cls.REQUIRED_NODE_COLUMNS, "nodes"),
            (slots, cls.REQUIRED_SLOT_COLUMNS, "slots"),
        ):
            missing = [c for c in required if c not in frame.columns]
            if missing:
                raise ValueError(f"{name} frame lacks columns {missing}")

        def text(value: Any) -> str | None:
            if value is None or (isinstance(value, float) and np.isnan(value)):
                return None
            return str(value)

        def weight(value: Any) -> Any:
            if value is None or (isinstance(value, float) and np.isnan(value)):
                return 1.0
            return float(value) if isinstance(value, int | np.number) else value

        node_list = [
            Node(
                id=str(r["id"]),
                parent=text(r["parent"]),
                level=str(r["level"]),
                label=text(r.get("label")) or "",
                weight=weight(r.get("weight")),
            )
            for r in nodes.to_dict("records")
        ]
        slot_list = [
            IndicatorSlot(
                id=str(r["id"]),
                node=str(r["node"]),
                indicator=str(r["indicator"]),
                polarity=int(r["polarity"]),
                transform=text(r.get("transform")) or "none",
                label=text(r.get("label")) or "",
                weight=weight(r.get("weight")),
            )
            for r in slots.to_dict("records")
        ]
        return cls(tuple(node_list), tuple(slot_list))

    def to_frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        nodes = pd.DataFrame([dataclasses.asdict(n) for n in self.nodes])
        slots = pd.DataFrame([dataclasses.asdict(s) for s in self.slots])
        return nodes, slots

    @cached_property
    def checksum(self) -> str:
        """SHA-256 of the whole structure (ids, parents, levels, indicators, polarity,
        transforms, weights; not labels): equal checksums score identically, so a run's
        inputs hash includes it and a weight change makes a new run."""
        payload = {
            "nodes": [[n.id, n.parent, n.level, float(n.weight)] for n in self.nodes],
            "slots": [
                [s.id, s.node, s.indicator, int(s.polarity), s.transform, float(s.weight)]
                for s in self.slots
            ],
        }
        text = json.dumps(payload, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def without_slot(self, slot_id: str) -> FrameworkTree:
        return FrameworkTree(self.nodes, tuple(s for s in self.slots if s.id != slot_id))

    @cached_property
    def index(self) -> TreeIndex:
        node_ids = tuple(n.id for n in self.nodes)
        pos = {nid: i for i, nid in enumerate(node_ids)}
        n_nodes, n_slots = len(node_ids), len(self.slots)
        parent_pos = np.array(
            [pos[n.parent] if n.parent is not None else -1 for n in self.nodes], dtype=np.intp
        )
        slot_node_pos = np.array([pos[s.node] for s in self.slots], dtype=np.intp)
        slot_member = np.zeros((n_slots, n_nodes))
        slot_member[np.arange(n_slots), slot_node_pos] = 1.0
        child_member = np.zeros((n_nodes, n_nodes))
        has_parent = parent_pos >= 0
        child_member[np.flatnonzero(has_parent), parent_pos[has_parent]] = 1.0
        slot_ancestor = slot_member.copy()
        for j in range(n_slots):
            p = parent_pos[slot_node_pos[j]]
            while p >= 0:
                slot_ancestor[j, p] = 1.0
                p = parent_pos[p]
        holder_mask = slot_member.sum(axis=0) > 0
        n_expected = np.where(holder_mask, slot_member.sum(axis=0), child_member.sum(axis=0))
        return TreeIndex(
            node_ids=node_ids,
            node_levels=tuple(n.level for n in self.nodes),
            level_rank=np.array([_LEVEL_RANK[n.level] for n in self.nodes], dtype=np.intp),
            parent_pos=parent_pos,
            slot_ids=tuple(s.id for s in self.slots),
            slot_indicators=tuple(s.indicator for s in self.slots),
            slot_node_pos=slot_node_pos,
            polarity=np.array([float(s.polarity) for s in self.slots]),
            log_slots=np.array([s.transform == "log" for s in self.slots], dtype=bool),
            slot_weight=np.array([float(s.weight) for s in self.slots], dtype=np.float64),
            node_weight=np.array([float(n.weight) for n in self.nodes], dtype=np.float64),
            holder_mask=holder_mask,
            slot_member=slot_member,
            child_member=child_member,
            slot_ancestor=slot_ancestor,
            n_expected=n_expected.astype(np.float64),
            n_indicators_expected=slot_ancestor.sum(axis=0),
            node_slots=tuple(
                np.flatnonzero(slot_node_pos == n).astype(np.intp) for n in range(n_nodes)
            ),
            node_children=tuple(
                np.flatnonzero(parent_pos == n).astype(np.intp) for n in range(n_nodes)
            ),
        )


# --------------------------------------------------------------------------- observations


@dataclass(frozen=True, eq=False)
class ObservationCube:
    """Dense observations, **indicator-major**: ``data[i, r]`` is indicator i's value
    for row r, a row being one (place, reference set, period); NaN where missing.

    Rows are sorted so that each scoring group (reference set × period) is a contiguous
    block: ``group[r]`` is row r's group number, non-decreasing, and
    ``group_starts[g]`` the first row of group g. Grouped statistics are then
    ``np.add.reduceat`` over blocks along the last axis: no loop over places or groups.

    Why dense and indicator-major: every later step reads whole indicators (or nodes)
    one at a time, and a contiguous row of 337,000 floats is the fastest thing numpy
    can read; dense float64 costs 8 bytes a cell (33,700 places × 10 periods × 70
    indicators ≈ 190 MB), fine at LSOA scale, and 5% missing makes sparse storage
    pointless. ``values`` gives the (rows × indicators) view.
    """

    rows: pd.DataFrame  # place, reference_set, period; RangeIndex aligned with data
    indicators: tuple[str, ...]
    data: FloatArray  # (indicators, rows)
    group: IntArray  # (rows,)
    group_starts: IntArray  # (groups,)
    groups: pd.DataFrame  # reference_set, period; one row per group
    lower_ci: FloatArray | None = None  # (indicators, rows), 95% interval
    upper_ci: FloatArray | None = None
    population: FloatArray | None = None  # (rows,)

    def __post_init__(self) -> None:
        n_ind, n_rows = self.data.shape
        if len(self.rows) != n_rows or len(self.indicators) != n_ind:
            raise ValueError("rows/indicators do not match the shape of data")
        for name in ("lower_ci", "upper_ci"):
            arr = getattr(self, name)
            if arr is not None and arr.shape != self.data.shape:
                raise ValueError(f"{name} must have the shape of data")
        if self.population is not None and self.population.shape != (n_rows,):
            raise ValueError("population must have one value per row")
        if len(set(self.indicators)) != n_ind:
            raise ValueError("indicator keys must be unique")
        if self.group.shape != (n_rows,):
            raise ValueError("group must have one value per row")

    @property
    def values(self) -> FloatArray:
        """(rows × indicators) view of ``data``."""
        return self.data.T

    @property
    def n_rows(self) -> int:
        return int(self.data.shape[1])

    @property
    def n_groups(self) -> int:
        return int(self.group_starts.shape[0])

    @cached_property
    def group_sizes(self) -> IntArray:
        return np.diff(np.r_[self.group_starts, self.n_rows]).astype(np.intp)

    @cached_property
    def _indicator_pos(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.indicators)}

    @cached_property
    def _row_codes(self) -> dict[str, tuple[IntArray, list[Any]]]:
        out = {}
        for column in (PLACE, REFERENCE_SET):
            codes, uniques = pd.factorize(self.rows[column])
            out[column] = (codes.astype(np.intp), list(uniques))
        return out

    def row_columns(self, r: IntArray) -> dict[str, Any]:
        """Columns place, reference_set (categoricals: cheap at millions of output
        rows) and period (its own dtype) for the row positions ``r``."""
        out: dict[str, Any] = {
            column: categorical(codes[r], uniques)
            for column, (codes, uniques) in self._row_codes.items()
        }
        out[PERIOD] = self.rows[PERIOD].to_numpy()[r]
        return out

    def indicator_position(self, key: str) -> int:
        """Position of an indicator in ``data``, -1 when the cube has no data for it."""
        return self._indicator_pos.get(key, -1)

    # ----------------------------------------------------------------- constructors

    @classmethod
    def from_arrays(
        cls,
        rows: pd.DataFrame,
        indicators: tuple[str, ...] | list[str],
        values: npt.ArrayLike,
        *,
        lower_ci: npt.ArrayLike | None = None,
        upper_ci: npt.ArrayLike | None = None,
        population: npt.ArrayLike | None = None,
        indicator_major: bool = False,
    ) -> ObservationCube:
        """Dense input: ``rows`` has place, reference_set, period, one per row of
        ``values`` (rows × indicators, or indicators × rows with
        ``indicator_major=True``). Rows are re-ordered by (reference_set, period) if
        they are not grouped already (stable: the order inside a group is kept)."""
        missing = [c for c in ROW_KEYS if c not in rows.columns]
        if missing:
            raise ValueError(f"rows frame lacks columns {missing}")
        rows = rows.loc[:, list(ROW_KEYS)].reset_index(drop=True)

        def as_major(arr: npt.ArrayLike | None) -> FloatArray | None:
            if arr is None:
                return None
            a = np.asarray(arr, dtype=np.float64)
            if a.ndim != 2:
                raise ValueError("values must be a 2-D array")
            return np.ascontiguousarray(a if indicator_major else a.T)

        data = as_major(values)
        assert data is not None
        lower, upper = as_major(lower_ci), as_major(upper_ci)
        pop = None if population is None else np.asarray(population, dtype=np.float64)
        if data.shape[1] != len(rows):
            raise ValueError("values must hold one row (or column) per rows entry")

        rs_codes, rs_uniques = pd.factorize(rows[REFERENCE_SET], sort=True)
        pe_codes, pe_uniques = pd.factorize(rows[PERIOD], sort=True)
        if (rs_codes < 0).any() or (pe_codes < 0).any():
            raise ValueError("reference_set and period must not be missing")
        combined = rs_codes.astype(np.int64) * len(pe_uniques) + pe_codes
        group_codes, group_uniques = pd.factorize(combined, sort=True)
        if not (np.diff(group_codes) >= 0).all():
            order = np.argsort(group_codes, kind="stable")
            rows = rows.take(order).reset_index(drop=True)
            data = data[:, order]
            lower = None if lower is None else lower[:, order]
            upper = None if upper is None else upper[:, order]
            pop = None if pop is None else pop[order]
            group_codes = group_codes[order]
        place_codes, _ = pd.factorize(rows[PLACE])
        if (place_codes < 0).any():
            raise ValueError("place must not be missing")
        if len(rows):
            key = group_codes.astype(np.int64) * (int(place_codes.max()) + 1) + place_codes
            if not pd.Index(key).is_unique:
                raise ValueError("a place appears twice in the same reference set and period")
        group = group_codes.astype(np.intp)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]).astype(np.intp)
        if len(rows) == 0:
            starts = np.zeros(0, dtype=np.intp)
        guniq = np.asarray(group_uniques, dtype=np.int64)
        groups = pd.DataFrame(
            {
                REFERENCE_SET: np.asarray(rs_uniques)[guniq // max(len(pe_uniques), 1)],
                PERIOD: np.asarray(pe_uniques)[guniq % max(len(pe_uniques), 1)],
            }
        )
        return cls(
            rows=rows,
            indicators=tuple(str(i) for i in indicators),
            data=data,
            group=group,
            group_starts=starts,
            groups=groups,
            lower_ci=lower,
            upper_ci=upper,
            population=pop,
        )

    @classmethod
    def from_long(
        cls, observations: pd.DataFrame, *, population: pd.DataFrame | None = None
    ) -> ObservationCube:
        """Long input: columns place, reference_set, period, indicator, value and
        optionally lower_ci, upper_ci (a 95% interval). One row per place × reference
        set × period × indicator (a duplicate is an error); NaN values are missing.

        ``population``: optional frame with place, population and any of
        reference_set / period to match on (for population-weighted references)."""
        required = [*ROW_KEYS, INDICATOR, VALUE]
        missing = [c for c in required if c not in observations.columns]
        if missing:
            raise ValueError(f"observations frame lacks columns {missing}")
        obs = observations.reset_index(drop=True)
        # One hash factorisation per key column, then one over the combined int64 code:
        # several times faster than a MultiIndex at tens of millions of rows.
        key = np.zeros(len(obs), dtype=np.int64)
        key_uniques = []
        for column in ROW_KEYS:
            codes, uniques = pd.factorize(obs[column])
            if (codes < 0).any():
                raise ValueError(f"observations have missing {column}")
            key = key * len(uniques) + codes
            key_uniques.append(uniques)
        row_codes, combined = pd.factorize(key)
        combined = np.asarray(combined, dtype=np.int64)
        parts = {}
        for column, uniques in zip(reversed(ROW_KEYS), reversed(key_uniques), strict=True):
            parts[column] = np.asarray(uniques)[combined % len(uniques)]
            combined = combined // len(uniques)
        rows = pd.DataFrame({column: parts[column] for column in ROW_KEYS})
        ind_codes, ind_uniques = pd.factorize(obs[INDICATOR], sort=True)
        n_rows, n_ind = len(rows), len(ind_uniques)
        flat = ind_codes.astype(np.int64) * n_rows + row_codes
        if len(flat) and np.bincount(flat, minlength=n_rows * n_ind).max() > 1:
            dup = obs[pd.Index(flat).duplicated(keep=False)].head(3)
            raise ValueError(f"duplicate observations, e.g.:\n{dup.to_string()}")

        def dense(column: str) -> FloatArray | None:
            if column not in obs.columns:
                return None
            out = np.full((n_ind, n_rows), np.nan)
            out[ind_codes, row_codes] = pd.to_numeric(obs[column]).to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            return out

        data = dense(VALUE)
        assert data is not None
        pop = None if population is None else _align_population(rows, population)
        return cls.from_arrays(
            rows,
            tuple(str(i) for i in ind_uniques),
            data,
            lower_ci=dense(LOWER_CI),
            upper_ci=dense(UPPER_CI),
            population=pop,
            indicator_major=True,
        )

    def take_groups(self, group_ids: npt.ArrayLike) -> ObservationCube:
        """The sub-cube holding only the given groups (ascending group numbers)."""
        gids = np.asarray(group_ids, dtype=np.intp)
        idx = np.flatnonzero(np.isin(self.group, gids))
        remap = np.full(self.n_groups, -1, dtype=np.intp)
        remap[gids] = np.arange(len(gids))
        group = remap[self.group[idx]]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]).astype(np.intp)
        if len(idx) == 0:
            starts = np.zeros(0, dtype=np.intp)
        return ObservationCube(
            rows=self.rows.take(idx).reset_index(drop=True),
            indicators=self.indicators,
            data=self.data[:, idx],
            group=group,
            group_starts=starts,
            groups=self.groups.take(gids).reset_index(drop=True),
            lower_ci=None if self.lower_ci is None else self.lower_ci[:, idx],
            upper_ci=None if self.upper_ci is None else self.upper_ci[:, idx],
            population=None if self.population is None else self.population[idx],
        )


def _align_population(rows: pd.DataFrame, population: pd.DataFrame) -> FloatArray:
    if PLACE not in population.columns or POPULATION not in population.columns:
        raise ValueError("population frame needs place and population columns")
    keys = [c for c in ROW_KEYS if c in population.columns]
    if population.duplicated(keys).any():
        raise ValueError(f"population has duplicate rows for {keys}")
    merged = rows.merge(population[[*keys, POPULATION]], on=keys, how="left", validate="m:1")
    return pd.to_numeric(merged[POPULATION]).to_numpy(dtype=np.float64, na_value=np.nan)
