"""A release's title and opening in, its type and the layout for that type out.

Types: `seizure` (seizures and arrests, charges, removals, sentences), `disaster` (disaster
declarations and assistance), `rescue`, `policy` (rules, fees, requirements, designations),
`visit` (visits, meetings, agreements), `advisory` (warnings, tips, vulnerabilities),
`statement`, and `general` for the rest. The type is the one whose cue words the title
(counted three times) and the first two paragraphs hold most; too few cues give `general`.

A layout is the parts a brief of that type has, in order, after the standfirst. Each part
(`Slot`) says which sentences belong in it (`cues`) and which words its heading prefers
(`nouns`); the release's own subheaded parts come after the slots, the quotations after
those, and what comes next closes every layout. So a seizure brief has the seizure facts,
the case (charges, custody, court), the background, the quote and what happens next. The
table is documented in README.md ("Release types").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from syndicate.brief.cues import Cues

Kind = Literal[
    "seizure", "disaster", "rescue", "policy", "visit", "advisory", "statement", "general"
]
KINDS: tuple[Kind, ...] = (
    "statement", "seizure", "disaster", "rescue", "visit", "advisory", "policy", "general",
)  # fmt: skip

_TYPE_CUES: dict[Kind, Cues] = {
    "statement": Cues(
        r"^statement\b|\bstatement\s+(?:from|by|on)\b|\bissued\s+the\s+following\s+statement\b|"
        r"\battributable\s+to\b|\bsaid\s+in\s+a\s+statement\b"
    ),
    "seizure": Cues(
        r"\b(?:seiz\w*|arrest\w*|apprehend\w*|charged|sentenced|indicted|smuggl\w*|interdict\w*|"
        r"offload\w*|trafficking|counterfeit|intercept\w*|contraband|removes?|removed|"
        r"pleaded\s+guilty|convicted|fugitive|loaded\s+(?:handguns?|guns?|firearms?))\b"
    ),
    "disaster": Cues(
        r"\b(?:disaster\s+declaration|major\s+disaster|emergency\s+declaration|disaster\s+"
        r"assistance|individual\s+assistance|public\s+assistance|federal\s+disaster|"
        r"disaster\s+recovery)\b"
    ),
    "rescue": Cues(
        r"\b(?:rescue[sd]?|rescuing|medevac\w*|medically\s+evacuated|search\s+and\s+rescue|"
        r"hoist\w*|capsiz\w*|sinking|overdue|adrift|mayday)\b"
    ),
    "visit": Cues(
        r"\b(?:visit\w*|travel(?:s|ed)\s+to|met\s+with|meets\s+with|tours?|toured|signs?|signed|"
        r"memorandum\s+of\s+understanding|agreement|partnership|delegation|bilateral)\b"
    ),
    "advisory": Cues(
        r"\b(?:warns?|warning|urges?|urging|advis\w*|alert\w*|tips|prepare\w*|reminds?|"
        r"vulnerabilit\w*|exploit\w*|scam\w*|fraud|safety|caution\w*|record\s+\w+\s+travel|"
        r"busiest|ransomware)\b"
    ),
    "policy": Cues(
        r"\b(?:rule|regulations?|polic(?:y|ies)|guidance|fees?|requirements?|enforcement\s+"
        r"begins|takes?\s+effect|effective|comment\s+period|federal\s+register|eligib\w*|"
        r"designat\w*|must\s+present)\b"
    ),
}
_MIN_SCORE = 2


@dataclass(frozen=True)
class Slot:
    """One part of a layout: what its sentences say, and the words its heading prefers.

    `weight` counts each cue hit; the background part weighs more, since its cues ("since
    2019", "last year") say plainly that a sentence looks back.
    """

    name: str
    cues: Cues
    nouns: tuple[str, ...]
    weight: float = 1.0

    def score(self, text: str) -> float:
        return self.weight * self.cues.count(text)


def _slot(name: str, cues: str, nouns: str, weight: float = 1.0) -> Slot:
    return Slot(name, Cues(rf"\b(?:{cues})"), tuple(nouns.split()), weight)


_BACKGROUND = _slot(
    "background",
    r"since\b|so\s+far\s+this|fiscal\s+year|statistics|nationwide|in\s+(?:19|20)\d\d\b|"
    r"compared\s+with|last\s+year|each\s+year|annually|monthly|previously|history|first\s+(?:proposed|"
    r"began)|began\s+in|established",
    "statistics record history program background year",
    1.6,
)
LAYOUTS: dict[Kind, tuple[Slot, ...]] = {
    "seizure": (
        _slot(
            "facts",
            r"seiz|found|discover|inspect|referred|secondary|alert|x-ray|scan|canine|hidden|"
            r"conceal|packages?\b|bundles?\b|tested\s+positive|pounds?\b|kilograms?\b|pills?\b|"
            r"stopp|pursuit|fled|detain|apprehend|search|vehicle|luggage|bags?\b|interdiction|"
            r"offload|boarded|vessel|shipment|container|firearms?|handguns?|bullets|notes\b",
            "seizure inspection search pursuit shipment interdiction scheme operation",
        ),
        _slot(
            "case",
            r"charg|custody|turned\s+over|court|judge|magistrate|sentenc|plead|indict|complaint|"
            r"convict|prosecut|penalt|forfeit|restitution|removal|removed\s+(?:to|from\s+the)|"
            r"deport|prison|warrant|criminal\s+history|fugitive|attorney|defendant|cited|"
            r"arrested|faces?\s+up\s+to|released",
            "charges case custody prosecution sentence penalties removal",
        ),
        _BACKGROUND,
    ),
    "disaster": (
        _slot(
            "declaration",
            r"declar|approv|designat|made\s+available|available\s+to|supplement|president|"
            r"federal\s+(?:disaster\s+)?(?:assistance|funding)|coordinating\s+officer|damage|"
            r"storms?|flood",
            "declaration designation counties assistance funding",
        ),
        _slot(
            "assistance",
            r"grants?\b|loans?\b|housing|repairs?|insurance|individual\s+assistance|public\s+"
            r"assistance|hazard\s+mitigation|cost-sharing|eligible|households|survivors|teams",
            "assistance aid grants help recovery survivors",
        ),
        _BACKGROUND,
    ),
    "rescue": (
        _slot(
            "incident",
            r"received|reports?\b|reporting|mayday|call|distress|alert|notified|request|overdue|"
            r"taking\s+on\s+water|capsiz|sinking|adrift|missing|symptom|stroke|injur|abandon|"
            r"emergency",
            "call report emergency distress request",
        ),
        _slot(
            "response",
            r"launched|crews?\b|helicopter|aircrew|boat|cutter|jayhawk|dolphin|hoist|arriv|"
            r"located|tow|transport|flown|flew|transferred|refuel|rescued|evacuat|consulted",
            "rescue response hoist evacuation crew",
        ),
        _slot(
            "outcome",
            r"weather|seas\b|winds?\b|temperature|conditions?|stable|hospital|medical\s+center|"
            r"injuries|life\s+(?:jacket|raft)|survival|sank|emergency\s+medical",
            "conditions weather outcome",
        ),
    ),
    "policy": (
        _slot(
            "change",
            r"rules?\b|polic|requir|must\b|fees?\b|change|replac|updat|sets?\b|adjust|implement|"
            r"establish|standard|designat|lead\s+(?:federal\s+)?agency",
            "rule changes requirements fees policy standard designation",
        ),
        _slot(
            "affected",
            r"applicants?|travelers?|passengers?|employers?|exempt|waiver|not\s+(?:be\s+)?affected|"
            r"eligib|qualify|may\s+use|can\s+use|accept|spectators|partners",
            "applicants travelers eligibility exemptions partners",
        ),
        _BACKGROUND,
    ),
    "visit": (
        _slot(
            "purpose",
            r"visit|travel|met\b|meet|tour|sign|agreement|memorandum|partnership|delegation|"
            r"discuss|joined",
            "visit agreement meeting partnership signing",
        ),
        _slot(
            "terms",
            r"under\s+the\s+(?:agreement|program)|shares?\b|sharing|exchange|train|station|"
            r"provide|commit|liaison|program|access|screening|results|return|scanning",
            "agreement program exchange sharing screening cooperation",
        ),
        _slot(
            "context",
            r"cooperation|partner|since|pilot|previous|history|strategic|past\s+year|recent|joint",
            "cooperation partnership history",
        ),
    ),
    "advisory": (
        _slot(
            "threat",
            r"warn|risk|threat|scam|vulnerab|exploit|attack|expect|record|forecast|season|"
            r"danger|spoof|target|reports?\b|calls?\b|thin|breaking|ransomware|busiest",
            "threat risk scams vulnerabilities season travel advisory",
        ),
        _slot(
            "steps",
            r"should|urge|recommend|tips?\b|steps?\b|take\b|check|avoid|report\b|enroll|sign\s+up|"
            r"download|declare|never|do\s+not|arrive|pack|apply|carry",
            "tips steps actions precautions guidance",
        ),
        _slot(
            "details",
            r"percent|million|average|data|number|hours|minutes",
            "figures details volumes",
        ),
    ),
    "statement": (
        _slot("context", r"\w", "bill act report incident statement"),
        _BACKGROUND,
    ),
    "general": (
        _slot("lead", r"\w", ""),
        _BACKGROUND,
    ),
}


def classify(title: str, opening: str) -> Kind:
    """The release's type, from its title and first paragraphs.

    The type whose cue comes first in the title counts two more ("Coast Guard Warns ...
    After Rescues" is an advisory); a tie goes to the earlier cue, then the earlier type.
    """
    starts = {}
    for kind in KINDS[:-1]:
        hit = _TYPE_CUES[kind].search(title)
        starts[kind] = hit.start() if hit else len(title) + 1
    lead = min(starts.values())
    best: tuple[int, int, int, Kind] = (0, 0, 0, "general")
    for rank, kind in enumerate(KINDS[:-1]):
        cue = _TYPE_CUES[kind]
        score = 3 * cue.count(title) + cue.count(opening)
        score += 2 * (starts[kind] == lead <= len(title))  # the title's first cue leads
        if score >= _MIN_SCORE and (score, -starts[kind], -rank) > best[:3]:
            best = (score, -starts[kind], -rank, kind)
    return best[3]
