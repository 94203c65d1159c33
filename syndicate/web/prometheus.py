"""The Prometheus text format (version 0.0.4), and this process's request-time histogram.

In: metric names, help, samples; request paths and durations. Out: exposition text.
"""

from __future__ import annotations

import math


def label(value: str) -> str:
    """A label value, escaped."""
    # Prometheus label values escape backslash, double quote and newline.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Exposition:
    """Builds the text format: one HELP/TYPE header per metric, then its samples.

    A sample's `labels` is what follows the name: `{source="cbp"}`, or `_bucket{...}` for a
    histogram's series.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def metric(self, name: str, kind: str, help: str, samples: list[tuple[str, float]]) -> None:
        """One metric: its header lines, then one line per sample."""
        self.lines += [f"# HELP {name} {help}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            number = repr(float(value)) if not math.isinf(value) else "+Inf"
            self.lines.append(f"{name}{labels} {number}")

    def text(self) -> str:
        """The whole exposition."""
        return "\n".join(self.lines) + "\n"


# Request paths are grouped by their first segment; anything else is "other", so a scan of
# random URLs cannot grow the metric's label set.
GROUPS = {
    "",
    "briefs",
    "agency",
    "topic",
    "feeds",
    "static",
    "subscribe",
    "confirm",
    "preferences",
    "unsubscribe",
    "healthz",
    "readyz",
    "metrics",
}
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class Timings:
    """A histogram of this process's request durations, by path group (Prometheus style)."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}
        self.sums: dict[str, float] = {}

    def observe(self, path: str, seconds: float) -> None:
        """Record one request (called on the event loop thread only)."""
        first = path.lstrip("/").split("/", 1)[0]
        group = (first or "home") if first in GROUPS else "other"
        counts = self.counts.setdefault(group, [0] * (len(BUCKETS) + 1))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[i] += 1
        counts[-1] += 1
        self.sums[group] = self.sums.get(group, 0.0) + seconds

    def expose(self, out: Exposition) -> None:
        """Add the histogram to an exposition."""
        samples: list[tuple[str, float]] = []
        name = "syndicate_http_request_duration_seconds"
        for group, counts in sorted(self.counts.items()):
            for bound, n in zip([*BUCKETS, math.inf], counts, strict=True):
                le = "+Inf" if math.isinf(bound) else repr(bound)
                samples.append((f'_bucket{{path="{group}",le="{le}"}}', float(n)))
            samples.append((f'_sum{{path="{group}"}}', self.sums[group]))
            samples.append((f'_count{{path="{group}"}}', float(counts[-1])))
        out.metric(name, "histogram", "Time to answer web requests, by path group.", samples)


def ai_briefs(
    out: Exposition,
    outcomes: dict[str, int],
    known: tuple[str, ...],
    tokens: tuple[int, int],
    latency: tuple[float, int],
    queued: int,
) -> None:
    """The AI engine's metrics: briefs by outcome, tokens paid for, model latency, queue."""
    counts = {o: 0 for o in known} | outcomes
    out.metric(
        "syndicate_ai_briefs_total",
        "counter",
        "AI engine jobs finished, by outcome (published, or why the extractive brief stayed).",
        [(f'{{outcome="{label(o)}"}}', float(n)) for o, n in sorted(counts.items())],
    )
    out.metric(
        "syndicate_ai_tokens_total",
        "counter",
        "Tokens the model was paid for (cached answers cost none), by kind.",
        [('{kind="prompt"}', float(tokens[0])), ('{kind="completion"}', float(tokens[1]))],
    )
    out.metric(
        "syndicate_ai_request_seconds",
        "summary",
        "Time the model took to answer, summed over the calls made.",
        [("_sum", latency[0]), ("_count", float(latency[1]))],
    )
    out.metric(
        "syndicate_ai_queue_depth",
        "gauge",
        "AI jobs waiting (pending, claimed or waiting to retry).",
        [("", float(queued))],
    )
