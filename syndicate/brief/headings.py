"""A section's sentences in, a heading for it out: a short Title-Case noun phrase that names
what the section is about, made of the section's own words.

The release's own subheading wins when it has one (`own`). Otherwise the heading is a run
of consecutive words from the section's sentences that reads as a noun phrase: no article,
pronoun, preposition or conjunction at either end, no verb, no adverb, no figure, and not
ending on an adjective ("Tribal and Local" is half a phrase, "Seeking to File" a clause).
Candidates are scored by the weight of their words in this section against the rest of
the release (a word the section repeats and others do not names it), by the layout's
preferred nouns for that part, and by length (two or three words read best); people's
names and bare agency names are passed over. Nothing is added to the words: a heading is
always text the release wrote, Title-Cased.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

GENERIC = ("Overview", "Key Points", "Background", "Details")
MAX_WORDS = 8

_MINOR = {"a", "an", "the", "and", "or", "of", "to", "in", "for", "on", "at", "by", "with", "as"}
# Words that cannot start or end a heading, and break a phrase where they stand.
_FUNCTION = _MINOR | {
    "but", "from", "into", "that", "which", "who", "whom", "whose", "this", "these", "those",
    "its", "their", "his", "her", "our", "your", "my", "is", "are", "was", "were", "be",
    "been", "being", "has", "have", "had", "will", "would", "can", "could", "may", "might",
    "must", "should", "shall", "do", "does", "did", "not", "no", "than", "then", "so", "if",
    "about", "after", "before", "during", "while", "when", "where", "also", "such", "other",
    "more", "most", "some", "any", "each", "every", "all", "both", "many", "much", "few",
    "several", "own", "same", "it", "they", "them", "he", "she", "we", "us", "i", "you",
    "there", "here", "what", "how", "why", "over", "under", "through", "across", "against",
    "within", "without", "between", "among", "around", "including", "toward", "towards",
    "upon", "along", "near", "up", "down", "out", "off", "per", "via", "until", "since",
    "just", "only", "even", "very", "now", "today", "yesterday", "said", "says", "according",
    "however", "because", "though", "although", "whether", "either", "neither", "nor", "yet",
    "again", "still", "already", "least", "less", "like", "another", "one", "two",
    "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "second",
    "last", "next", "new", "well", "way", "able", "ever", "never", "mr", "ms", "mrs",
    "him", "me", "himself", "herself", "themselves", "itself", "inside", "outside",
    "behind", "beyond", "ahead", "together", "away", "back", "ago", "onto", "amid",
    "later", "earlier", "soon", "often", "once", "twice", "approximately", "nearly", "online",
}  # fmt: skip
# Nouns too plain to name a section alone ("Percent", "Vehicle", "Crew").
_PLAIN = {
    "percent", "million", "billion", "pounds", "pound", "year", "years", "day", "days",
    "month", "months", "week", "weeks", "hours", "hour", "minutes", "miles", "feet", "number",
    "total", "times", "time", "people", "person", "man", "woman", "men", "women", "vehicle",
    "vehicles", "crew", "crews", "bullets", "season", "area", "areas", "part", "parts",
    "place", "case", "cases", "thing", "things", "lot", "kind", "amount", "amounts",
    "percentage", "fiscal", "state", "states", "country", "countries", "city", "county",
    "result", "results", "effort", "efforts", "work", "role", "information", "release",
}  # fmt: skip
# Participles that are adjectives at a phrase's start ("Designated Counties"); other -ed
# words there are verbs ("Ordered Him", "Demanded Ransoms").
_PARTICIPLES = {
    "designated", "expanded", "suspected", "affected", "advanced", "automated", "organized",
    "coordinated", "unannounced", "estimated", "registered", "licensed", "trusted",
    "armed", "unmanned", "enhanced", "extended", "updated", "proposed", "combined",
    "increased", "reduced", "improved", "approved", "unreported", "undeclared", "loaded",
    "restricted", "prohibited", "required", "recommended", "concealed", "integrated",
    "targeted", "dedicated", "specialized", "added", "named",
}  # fmt: skip
# Verbs releases use in the present tense (their past forms end in -ed and are caught so).
_VERBS = {
    "deepen", "provide", "include", "help", "make", "give", "take", "keep", "use", "find", "carry",
    "carries", "pay", "require", "remain", "join", "reach", "face", "hold", "allow", "expect",
    "continue", "begin", "meet", "serve", "bring", "get", "go", "goes", "come", "become", "show",
    "tell", "ask", "urge", "warn", "announce", "approve", "declare", "seize", "remove", "sign",
    "enter", "leave", "open", "add", "mean", "need", "want", "know", "see", "look", "think",
    "believe", "say", "apply", "applies", "protect", "share", "stop", "put", "set", "run", "cut",
    "let", "build", "buy", "spend", "save", "move", "live", "stay", "fill", "pass", "vote",
    "ensure", "allows", "offers", "offer", "gives", "makes", "takes", "keeps", "uses", "finds",
    "pays", "requires", "remains", "joins", "reaches", "faces", "holds", "expects", "continues",
    "begins", "meets", "serves", "brings", "gets", "comes", "becomes", "shows", "tells", "asks",
    "urges", "warns", "announces", "approves", "declares", "seizes", "removes", "signs", "enters",
    "leaves", "opens", "adds", "means", "needs", "wants", "knows", "sees", "looks", "thinks",
    "believes", "protects", "shares", "stops", "puts", "sets", "runs", "cuts", "lets", "builds",
    "buys", "spends", "saves", "moves", "lives", "stays", "fills", "passes", "ensures", "provides",
    "includes", "helps", "deepens", "work", "works", "lead", "leads", "target", "targets", "cover",
    "covers", "change", "changes", "rise", "rises", "fund", "funds", "encourage", "encourages",
    "recommend", "recommends", "expire", "expires", "affect", "affects", "tested", "taken",
    "given", "made", "done", "seen", "known",
    # past tenses that do not end in -ed
    "found", "took", "gave", "came", "went", "saw", "told", "began", "became", "brought", "held",
    "kept", "left", "met", "paid", "ran", "sent", "spent", "stood", "won", "wrote", "led", "fled",
    "sank", "flew", "drove", "rose", "fell", "got", "knew", "struck", "caught", "sought", "taught",
    "thought", "built", "bought", "lost", "meant", "heard", "felt", "commemorates", "celebrates",
    "marks", "honors", "welcomes", "hosts", "launches", "awards", "grants", "seeks", "plans",
    "calls", "reports", "notes", "states", "operates", "manages", "oversees", "supports",
    "coordinates", "conducts", "issues", "receives", "detains", "screens", "processes", "crosses",
    "detain", "pose", "poses", "cross", "check", "checks", "identify", "identifies", "collect",
    "collects", "inspect", "inspects", "arrive", "arrives", "depart", "departs", "describes",
    "describe", "explains", "explain", "lists", "outlines", "outline", "says", "announced",
    # participles in -en
    "hidden", "written", "stolen", "driven", "broken", "chosen", "frozen", "forgotten", "spoken",
    "shown", "drawn", "grown", "thrown", "flown", "beaten", "eaten", "fallen",
}  # fmt: skip
# Words that leave the noun behind when a phrase ends on them.
_ADJECTIVES = {
    "local", "federal", "national", "tribal", "regional", "international", "additional",
    "critical", "illegal", "legal", "annual", "global", "financial", "commercial",
    "personal", "public", "private", "significant", "available", "eligible", "responsible",
    "possible", "important", "safe", "secure", "free", "ready", "recent", "current",
    "former", "future", "final", "major", "full", "large", "small", "high", "low", "key",
    "early", "late", "various", "certain", "ongoing", "severe", "strong", "serious",
    "dangerous", "criminal", "foreign", "domestic", "active", "potential", "general",
    "special", "official", "primary", "total", "estimated", "mexican", "american", "u.s.",
    "nationwide", "further", "similar", "different", "likely", "valid", "busiest", "largest",
}  # fmt: skip
_BEFORE_VERB = {
    "will", "would", "can", "could", "may", "might", "must", "should", "shall", "not",
    "who", "which", "that", "they", "we", "he", "she", "it", "i", "you", "also", "did",
    "does", "do", "never", "cannot",
}  # fmt: skip
# Endings a verb's base form rarely has: a word after "to" ending so is not its verb.
_NOUNISH = ("ed", "ing", "s", "ion", "ment", "ity", "ance", "ence", "al", "ive", "ous")
_NOT_ADVERB = {"family", "supply", "assembly", "italy", "july", "ally", "rally", "only"}
# Whole phrases that name an agency, not a subject.
_AGENCY_WORDS = {
    "department", "homeland", "security", "customs", "border", "protection", "immigration",
    "enforcement", "citizenship", "services", "transportation", "administration", "federal",
    "emergency", "management", "agency", "cybersecurity", "infrastructure", "coast", "guard",
    "secret", "service", "u.s.", "dhs", "cbp", "ice", "uscis", "tsa", "fema", "cisa", "hsi",
    "ero", "office", "officials", "officers", "agents", "people",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ.’'-]*[A-Za-zÀ-ÖØ-öø-ÿ]|[A-Za-z]|\S")
_BREAKS = re.compile(r"[,;:()“”\"—–!?]")


def title_case(text: str) -> str:
    """Title-Case a heading, keeping acronyms and words already capitalised.

    Section numbers go ("3.1 AFFECTED PRODUCTS") and a heading in capitals is lowered first.
    """
    text = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", text.strip())
    if text.isupper():
        text = text.lower()
    words = text.split()
    out = []
    for i, w in enumerate(words):
        if w[:1].isupper() or (i and w.lower() in _MINOR):
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out).rstrip(":.")


def own(text: str | None) -> str | None:
    """The release's own subheading as a heading, when it is short enough to be one."""
    if not text or len(text.split()) > MAX_WORDS:
        return None
    return title_case(text)


@lru_cache(maxsize=8192)
def _word_ok(word: str, position: str) -> bool:
    low = word.lower()
    if low in _FUNCTION or low in _VERBS or not word[:1].isalpha():
        return False
    if "’s" in low or "'s" in low or low.endswith(("’", "'")) or "." in low:
        return False  # possessives and abbreviations ("U.S.", "Ariz.") break a phrase
    if low.endswith("ly") and len(low) > 4 and low not in _NOT_ADVERB:
        return False
    participle = low.endswith("ed") and not low.endswith("eed") and len(low) > 4
    if participle and (position != "start" or low not in _PARTICIPLES):
        return False
    return not (position == "end" and low in _ADJECTIVES)


def phrases(text: str, people: set[str]) -> list[tuple[str, ...]]:
    """Every run of 1-4 words in `text` that reads as a noun phrase.

    A lower-case word right after a modal or a subject pronoun is a verb ("will detain",
    "who cross"), whatever the word lists say.
    """
    out: list[tuple[str, ...]] = []
    # "45-year-old", "40-foot", "$1.2": figures and what hangs on them break a phrase.
    text = re.sub(r"[$\d][\w.,$-]*", " , ", text)
    for part in _BREAKS.split(text):
        words = [w.rstrip(".") for w in _TOKEN.findall(part)]
        run: list[str] = []
        previous = ""
        for word in [*words, ""]:
            verb = (
                previous in _BEFORE_VERB
                and word[:1].islower()
                and not word.lower().endswith(_NOUNISH)  # "subject to unannounced inspections"
            ) or (
                # "governments paying", "officers working": after a plural, -ing is a verb
                # ("cargo screening", "information sharing" are nouns)
                word.endswith("ing") and previous.endswith("s") and not previous.endswith("ss")
            )
            previous = word.lower()
            if word and not verb and _word_ok(word, "middle") and word not in people:
                run.append(word)
                continue
            for i in range(len(run)):
                for j in range(i + 1, min(len(run), i + 4) + 1):
                    gram = tuple(run[i:j])
                    if _word_ok(gram[0], "start") and _word_ok(gram[-1], "end"):
                        out.append(gram)
            run = []
            if word and not verb and _word_ok(word, "start") and word not in people:
                run.append(word)  # an -ed word may open the next phrase ("Designated Counties")
    return out


def words(texts: Iterable[str]) -> Counter[str]:
    """The lower-case words of some texts, counted (what `pick` weighs phrases by)."""
    out: Counter[str] = Counter()
    for text in texts:
        out.update(w.lower() for w in _TOKEN.findall(text))
    return out


def pick(
    section: Sequence[str],
    spread: Counter[str],
    parts: int,
    *,
    prefer: Iterable[str] = (),
    people: set[str] | None = None,
    taken: set[str] | None = None,
    release: str = "",
) -> str | None:
    """The best noun-phrase heading for a section, or None when none reads as one.

    `spread` counts, for each word, how many of the brief's other `parts - 1` parts use it;
    `release` is the release's whole text in lower case, to find its repeated phrases.
    """
    people = people or set()
    taken = {t.lower() for t in (taken or set())}
    counts = words(section)
    preferred = {p.lower() for p in prefer}
    seen: Counter[tuple[str, ...]] = Counter()
    for text in section:
        seen.update(phrases(text, people))
    best: tuple[float, int, tuple[str, ...]] | None = None
    for order, (gram, times) in enumerate(seen.items()):
        low = [w.lower() for w in gram]
        if len(gram) < 2 or all(w in _AGENCY_WORDS or w in _PLAIN for w in low):
            continue  # one word, or only plain and agency words, names nothing
        if " ".join(low) in taken:
            continue
        weight = sum(counts[w] * math.log(1 + parts / (1 + spread[w])) for w in low)
        score = weight / math.sqrt(len(gram)) + 0.8 * (times - 1)
        score += 1.5 * sum(w in preferred or w.rstrip("s") in preferred for w in low)
        score += {2: 0.6, 3: 0.5, 4: -0.3}[len(gram)]
        score -= 0.8 * sum(w in _PLAIN for w in low)
        # A phrase the release repeats is one of its key terms.
        score += 0.5 * min(2, release.count(" ".join(low)) - 1) if release else 0.0
        if gram == tuple(low):
            score += 0.4  # a common noun phrase ("information sharing"), not a name
        if best is None or (score, -order) > (best[0], -best[1]):
            best = (score, order, gram)
    return title_case(" ".join(best[2])) if best and best[0] > 0.5 else None
