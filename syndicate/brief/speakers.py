"""A capitalised run of words in, the person it names out: a `Name` with the release's words.

A speaker is shown as the release names them, "FEMA Regional Administrator Robert Samaan",
"ERO Boston Field Office Director Patricia Hyde", "Secretary of Homeland Security Kristi
Noem": an organisation before the title stays, and nothing is ever added or rebuilt, so a
speaker is always a run of the source's own words. What is trimmed: words that open the
sentence ("On Monday"), a place after the name ("in Quito"), an affiliation after a titled
name ("Port Director Carlos Rodriguez of the Hidalgo/Pharr/Anzalduas Port of Entry" gives
"Port Director Carlos Rodriguez"), and, past `WORDS_MAX` words, the organisation before the
title nearest the name. `resolve` names a later short mention ("said Secretary Noem",
"Noem said") by the first full one: in an attribution if there is one, else in the text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WORDS_MAX = 10  # a longer speaker keeps only the title nearest the name

# The word a title is named by ("Director") and the words that qualify it ("Field Office").
HEADS = {
    "Secretary", "Commissioner", "Administrator", "Director", "Chief", "Commandant",
    "Admiral", "Adm.", "Sen.", "Senator", "Rep.", "Representative", "Gov.", "Governor",
    "Mayor", "President", "Agent", "Officer", "Attorney", "General", "Spokesperson",
    "Spokesman", "Spokeswoman", "Ambassador", "Minister", "Sheriff", "Captain", "Capt.",
    "Lt.", "Cmdr.", "Commander", "Sgt.", "Dr.", "Judge", "Coordinator", "Superintendent",
    "Inspector", "Undersecretary", "Chairman", "Chair", "Lieutenant", "Colonel", "Col.",
    "Gen.", "Marshal", "Manager", "Counsel", "spokesperson", "spokesman", "spokeswoman",
}  # fmt: skip
MODIFIERS = {
    "Deputy", "Acting", "Assistant", "Executive", "Special", "Under", "Associate", "Senior",
    "Principal", "Vice", "Supervisory", "Port", "Field", "Office", "Regional", "Chief",
    "Patrol", "Charge", "j.g.",
}  # fmt: skip
TITLES = HEADS | MODIFIERS
LINKS = ("of", "the", "for", "in", "and", "de", "del", "la")
# An affiliation after a titled name starts with one of these ("... Rodriguez of the ...").
_AFFILIATION = {"of", "for", "at", "from", "with"}
# A run starting with one of these is not a person ("The statement said").
NOT_PEOPLE = {"The", "This", "That", "These", "It", "We", "They", "He", "She", "In", "As"}
# Words that open a sentence before a name ("On Monday FEMA Regional Administrator ...").
_OPENERS = {
    "On", "During", "Today", "Yesterday", "Earlier", "Later", "Also", "Meanwhile", "At",
    "After", "Before", "Since", "Last", "Next", "When", "While", "Then", "Now",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jan.", "Feb.", "Mar.", "Apr.", "Aug.", "Sept.",
    "Sep.", "Oct.", "Nov.", "Dec.",
}  # fmt: skip
_SUFFIXES = {"Jr.", "Sr."}


@dataclass(frozen=True)
class Name:
    """A person as the release names them: the words shown, and the personal-name words."""

    text: str
    person: tuple[str, ...]
    titled: bool

    @property
    def full(self) -> bool:
        """A given name and a surname, not a bare surname."""
        return len(self.person) >= 2

    @property
    def surname(self) -> str:
        """The last personal-name word ("Noem")."""
        return self.person[-1] if self.person else ""


def _sentence_end(word: str) -> bool:
    """ "Noem." ends a sentence; "U.S.", "A.", "Jr." and "Adm." do not."""
    core = word[:-1]
    return (
        word.endswith(".")
        and "." not in core
        and len(core) > 2
        and word not in TITLES | _SUFFIXES | _OPENERS
    )


def _cut_affiliation(words: list[str]) -> list[str]:
    """A titled name ends before "of ..." ("Port Director Carlos Rodriguez of the ...")."""
    for i, word in enumerate(words):
        if word not in TITLES:
            continue
        j = i + 1
        while j < len(words) and words[j] not in TITLES and words[j] not in LINKS:
            j += 1
        if j > i + 1 and j < len(words) and words[j] in _AFFILIATION:
            return words[:j]
    return words


def _shorten(words: list[str], first_person: int) -> list[str]:
    """Past WORDS_MAX, keep the title nearest the name with its qualifiers."""
    heads = [i for i in range(first_person) if words[i] in HEADS]
    if not heads:
        return words[first_person:]
    start = heads[-1]
    while start > 0 and words[start - 1] in MODIFIERS:
        start -= 1
    return words[start:]


def phrase(raw: str) -> Name | None:
    """The name a captured run of capitalised words gives, or None when it names no one."""
    words = raw.split()
    if not words or words[0] in NOT_PEOPLE:
        return None
    # "said Secretary Noem in Quito": the place is not part of the name ("Agent in Charge" is).
    for i, w in enumerate(words):
        if w == "in" and (i + 1 == len(words) or words[i + 1] != "Charge"):
            words = words[:i]
            break
    for i, w in enumerate(words[:-1]):
        if _sentence_end(w):
            words = words[: i + 1]
            break
    while words and (words[0] in _OPENERS or words[0] in LINKS or words[0][0].isdigit()):
        words = words[1:]
    while words and words[-1] in LINKS:
        words.pop()
    if not words:
        return None
    last = words[-1]
    if last.endswith((".", ",")) and last not in TITLES | _SUFFIXES and last.count(".") <= 1:
        words[-1] = last.rstrip(".,")
    words = _cut_affiliation(words)
    titles = [i for i, w in enumerate(words) if w in TITLES]
    if titles:
        first_person = titles[-1] + 1
        person = [w for w in words[first_person:] if w not in LINKS]
    else:
        first_person = 0
        stop = next((i for i, w in enumerate(words) if w in LINKS), len(words))
        person = words[:stop]
    if len(words) > WORDS_MAX and person:
        words = _shorten(words, first_person)
    return Name(" ".join(words), tuple(person), bool(titles))


def _first(names: Sequence[Name]) -> Name | None:
    """The first name with a title, else the first name."""
    return next((n for n in names if n.titled), names[0] if names else None)


def resolve(who: Name, attributions: Sequence[Name], mentions: Sequence[Name]) -> str:
    """How a quotation's speaker is shown: `who` as written, or its first full mention.

    `attributions` are the names beside quotations, `mentions` every name in the text, both
    in reading order. A full name with a title is kept exactly as the attribution says it.
    """
    if not who.person or (who.full and who.titled):
        return who.text
    if who.full:
        # "said Kristi Noem": the title the release gives that same name, if it gives one.
        n = len(who.person)
        titled = [m for m in (*attributions, *mentions) if m.titled and m.person[-n:] == who.person]
        return titled[0].text if titled else who.text
    for names in (attributions, mentions):
        same = [m for m in names if m.full and m.surname == who.surname]
        chosen = _first(same)
        if chosen is not None:
            return chosen.text
    return who.text
