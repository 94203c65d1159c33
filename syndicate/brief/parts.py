"""A release's layout and type in, the body parts of its brief out: each a heading, a few
whole sentences of the release and, for list-like content, 3-5 bullets.

The opening (before the release's first subheading) is shared out among the parts of the
type's layout (`kinds.LAYOUTS`): each sentence goes to the part whose cue words it holds
most, a sentence with none stays with the sentence before it, and a part left with a
single sentence joins the part before it. Each subheaded part of the release follows under
its own heading. A list in the release becomes bullets (at most five) under the sentence
that introduces it; three or more instructions in a row ("Check ...", "Carry ...") become
bullets too. A part without a heading of its own gets one from `headings.pick`; a generic
heading is used once at most, after which a part that has no better heading joins the
part before it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from syndicate.brief import closing, headings
from syndicate.brief.kinds import Slot
from syndicate.brief.layout import Layout, Segment, Sentence

BULLETS_MAX = 5
PART_MAX = 4  # sentences in one part before length is fitted
# Parts of a release that are about the document, not the news.
_SKIP_HEADING = re.compile(
    r"\b(?:revision history|contact information|media contacts?|disclaimer|acknowledg\w*|"
    r"references|legal notice|resources|related links)\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:Apply|Arrive|Avoid|Build|Call|Carry|Check|Declare|Do not|Don’t|Don't|Download|"
    r"Enroll|Feel|Hang up|Hold|Keep|Know|Make|Never|Pack|Patch|Plan|Register|Report|Review|"
    r"Require|Segment|Sign up|Stay|Take|Tell|Test|Tilt|Train|Trim|Use|Visit|Wear)\b"
)


@dataclass
class Part:
    """One section of a brief while it is being built."""

    heading: str | None
    paragraphs: list[Sentence] = field(default_factory=list)
    bullets: list[Sentence] = field(default_factory=list)
    kind: str = "slot"  # slot, own, list, closing
    prefer: tuple[str, ...] = ()

    def sentences(self) -> list[Sentence]:
        return [*self.paragraphs, *self.bullets]


def usable(s: Sentence, used: set[int]) -> bool:
    """A sentence the brief may show as its own: whole, not a quotation, not shown yet."""
    return s.complete and not s.quoted and s.order not in used


def closes(seg: Segment) -> bool:
    """A part of the release under its own closing subheading ("Next Steps")."""
    heading = headings.own(seg.heading)
    return bool(heading and closing.is_heading(heading) and not _SKIP_HEADING.search(heading))


def skipped(seg: Segment) -> bool:
    return bool(seg.heading and _SKIP_HEADING.search(seg.heading))


def _list_part(seg: Segment, items: tuple[Sentence, ...], used: set[int]) -> Part:
    """A list with the sentence that introduces it (the one right before, ending in ":")."""
    before = [s for p in seg.paragraphs for s in p if s.order == items[0].order - 1]
    intro = [s for s in before if s.text.rstrip().endswith(":") and not s.quoted]
    return Part(None, intro, list(items[:BULLETS_MAX]), "list")


def opening(layout: Layout, slots: tuple[Slot, ...], used: set[int]) -> list[Part]:
    """The opening's sentences shared out among the layout's parts, and its lists."""
    seg = layout.segments[0]
    parts = {slot.name: Part(None, kind="slot", prefer=slot.nouns) for slot in slots}
    lists = [_list_part(seg, items, used) for items in seg.lists]
    held = {s.order for part in lists for s in part.paragraphs}
    current = slots[0].name
    last_para = -1
    for s in (s for p in seg.paragraphs for s in p):
        if not usable(s, used) or s.order in held:
            continue
        hits = [(slot.score(s.text), -i, slot.name) for i, slot in enumerate(slots)]
        best = max(hits)
        if best[0] or s.para != last_para:
            current = best[2] if best[0] else (current if s.para == last_para else slots[0].name)
        parts[current].paragraphs.append(s)
        last_para = s.para
    out = [p for p in parts.values() if p.paragraphs]
    merged: list[Part] = []
    for part in out:
        if merged and len(part.paragraphs) < 2:
            merged[-1].paragraphs.extend(part.paragraphs)
        else:
            merged.append(part)
    if len(merged) > 1 and len(merged[0].paragraphs) < 2:
        first = merged.pop(0)
        merged[0].paragraphs[:0] = first.paragraphs
    for part in merged:
        part.paragraphs.sort(key=lambda s: s.order)
    return _place_lists(merged, lists)


def _place_lists(parts: list[Part], lists: list[Part]) -> list[Part]:
    """Each list joins the part holding the sentence right before it, with its introduction."""
    out = list(parts)
    for lst in lists:
        start = lst.bullets[0].order
        before = [(s.order, i) for i, p in enumerate(out) for s in p.paragraphs if s.order < start]
        home = out[max(before)[1]] if before else None
        if home is not None and not home.bullets:
            home.paragraphs = sorted([*home.paragraphs, *lst.paragraphs], key=lambda s: s.order)
            home.bullets = lst.bullets
        else:
            out.insert(0 if home is None else out.index(home) + 1, lst)
    return out


def subheaded(layout: Layout, used: set[int]) -> list[Part]:
    """One part per subheaded segment of the release, under its own heading."""
    out: list[Part] = []
    for seg in layout.segments[1:]:
        if skipped(seg) or closes(seg):
            continue
        part = Part(headings.own(seg.heading), kind="own")
        listed: set[int] = set()
        if seg.lists:
            lst = _list_part(seg, seg.lists[0], used)
            part.bullets = lst.bullets
            listed = {s.order for s in lst.paragraphs}
        for s in (s for p in seg.paragraphs for s in p):
            if s.order in listed or (usable(s, used) and len(part.paragraphs) < PART_MAX):
                part.paragraphs.append(s)
        if part.paragraphs or part.bullets:
            out.append(part)
    return out


def closing_part(layout: Layout, upcoming: list[Sentence], used: set[int]) -> Part:
    """What comes next: the picked sentences, and the release's own closing part."""
    ends = [seg for seg in layout.segments if closes(seg)]
    part = Part(headings.own(ends[0].heading) if ends else closing.NEXT, kind="closing")
    part.paragraphs = list(upcoming)
    for seg in ends:
        if seg.lists and not part.bullets:
            lst = _list_part(seg, seg.lists[0], used)
            part.bullets = lst.bullets
            part.paragraphs += [s for s in lst.paragraphs if s not in part.paragraphs]
        for s in (s for p in seg.paragraphs for s in p):
            if usable(s, used) and s not in part.paragraphs and len(part.paragraphs) < 3:
                part.paragraphs.append(s)
    part.paragraphs.sort(key=lambda s: s.order)
    return part


def instructions(part: Part) -> None:
    """Three or more instructions in a row, in a part without bullets, become its bullets."""
    if part.bullets:
        return
    run: list[Sentence] = []
    for s in part.paragraphs:
        if _IMPERATIVE.match(s.text):
            run.append(s)
        elif len(run) < 3:
            run = []
        else:
            break
    if len(run) >= 3:
        part.paragraphs = [s for s in part.paragraphs if s not in run]
        part.bullets = run[:BULLETS_MAX]


def name(parts: list[Part], people: set[str], fallback: str, release: str = "") -> list[Part]:
    """Give each part a heading; one that gets none joins the part before it.

    A generic heading (`fallback`, or "Background" for a background part) is given once at
    most, and only when no part before can take the sentences in.
    """
    taken = {p.heading for p in parts if p.heading}
    generic_used = False
    out: list[Part] = []
    used = [set(headings.words(s.text for s in p.sentences())) for p in parts]
    spread_all: Counter[str] = Counter(w for ws in used for w in ws)
    for n, part in enumerate(parts):
        if part.heading is None:
            spread = spread_all.copy()
            spread.subtract(used[n])
            part.heading = headings.pick(
                # A heading names what a part opens with: its first sentences and bullets.
                [s.text for s in (*part.paragraphs[:3], *part.bullets[:3])],
                spread,
                len(parts),
                prefer=part.prefer,
                people=people,
                taken=taken,
                release=release,
            )
        if part.heading is None and out and not part.bullets:
            out[-1].paragraphs.extend(part.paragraphs)
            continue
        if part.heading is None:
            if generic_used and out:
                out[-1].paragraphs.extend(part.paragraphs)
                out[-1].bullets = out[-1].bullets or part.bullets
                continue
            part.heading = headings.GENERIC[2] if "background" in part.prefer else fallback
            generic_used = True
        taken.add(part.heading)
        out.append(part)
    return out
