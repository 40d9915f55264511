"""A plain-English summary of a place's scores, from the scorecard's own numbers.

Pure Python: plain values in, a list of sentences out; no Django here.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DomainResult:
    label: str
    score: float | None
    band_label: str = ""
    change: float | None = None


@dataclass(frozen=True)
class HiddenWeakness:
    indicator: str
    hidden_by: str


def _named(domain: DomainResult) -> str:
    assert domain.score is not None
    band = f", {domain.band_label.lower()}" if domain.band_label else ""
    return f"{domain.label} ({domain.score:.1f}{band})"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def place_summary(
    *,
    place: str,
    year: int,
    first_year: int,
    domains: Sequence[DomainResult],
    hidden: Sequence[HiddenWeakness],
    indicators_with_data: int,
    indicators_expected: int,
    peer_label: str = "similar councils",
) -> list[str]:
    """Two to four sentences: strongest and weakest domains, the biggest change since the
    first year, hidden weaknesses; always ending with the caveats (scores are relative;
    how many indicators had data)."""
    sentences: list[str] = []
    scored = [d for d in domains if d.score is not None]
    if scored:
        ordered = sorted(scored, key=lambda d: d.score or 0.0, reverse=True)
        best, worst = ordered[0], ordered[-1]
        if best is worst:
            sentences.append(f"In {year} {place} has one domain scored: {_named(best)}.")
        else:
            sentences.append(
                f"In {year} {place} scores highest on {_named(best)} and lowest on {_named(worst)}."
            )
        changed = [d for d in scored if d.change is not None and year != first_year]
        if changed:
            biggest = max(changed, key=lambda d: abs(d.change or 0.0))
            change = biggest.change or 0.0
            if abs(change) < 0.05:
                sentences.append(f"No domain has moved noticeably since {first_year}.")
            else:
                direction = "risen" if change > 0 else "fallen"
                sentences.append(
                    f"The biggest change since {first_year} is in {biggest.label}, "
                    f"which has {direction} by {abs(change):.1f} points."
                )
    else:
        sentences.append(f"{place} has no domain scores for {year} yet.")
    if hidden:
        names = sorted({h.indicator for h in hidden})
        shown = names[:3]
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        noun = "indicator is" if len(names) == 1 else "indicators are"
        sentences.append(
            f"{len(names)} {noun} weak but hidden by a higher average above "
            f"{'it' if len(names) == 1 else 'them'}: {_join(shown)}{more}."
        )
    sentences.append(
        f"Scores are relative to other {peer_label}: green means better than most places, "
        f"not that a problem is solved; {indicators_with_data} of {indicators_expected} "
        f"indicators had data."
    )
    return sentences
