"""The default topic taxonomy: topic -> keywords (case-insensitive, matched at word starts).

`[brief.topics]` in config.toml replaces it whole. The brief stage tags each brief with the
topics whose keywords its release mentions; feeds are published per topic.
"""

from __future__ import annotations

DEFAULT_TOPICS: dict[str, tuple[str, ...]] = {
    "border-security": (
        "border",
        "port of entry",
        "ports of entry",
        "smuggl",
        "fentanyl seizure",
        "Border Patrol",
        "crossing",
    ),
    "immigration": (
        "immigra",
        "migra",
        "asylum",
        "deport",
        "removal",
        "visa",
        "green card",
        "citizenship",
        "naturaliz",
        "parole",
        "alien",
    ),
    "cybersecurity": (
        "cyber",
        "vulnerab",
        "CVE-",
        "malware",
        "ransomware",
        "exploit",
        "patch",
        "advisory",
        "phishing",
    ),
    "disaster-response": (
        "disaster",
        "hurricane",
        "flood",
        "wildfire",
        "storm",
        "tornado",
        "emergency declaration",
        "recovery",
        "FEMA assistance",
    ),
    "aviation-security": (
        "airport",
        "aviation",
        "checkpoint",
        "TSA PreCheck",
        "passenger",
        "flight",
        "screening",
    ),
    # Not "port": CBP's land "ports of entry" are not maritime.
    "maritime": ("maritime", "vessel", "Coast Guard", "cutter", "at sea", "seaport", "boat"),
    "counterterrorism": ("terroris", "extremis", "counterterror"),
    "drugs-and-trafficking": (
        "drug",
        "narcotic",
        "cocaine",
        "fentanyl",
        "methamphetamine",
        "traffick",
        "cartel",
        "seiz",
    ),
    "trade-and-travel": (
        "trade",
        "tariff",
        "import",
        "export",
        "cargo",
        "travel",
        "traveler",
        "REAL ID",
        "customs",
    ),
    "international-cooperation": (
        "memorandum of understanding",
        "MOU",
        "bilateral",
        "international",
        "partner nation",
        "agreement with",
        "foreign",
    ),
    "law-enforcement": ("arrest", "sentenced", "indict", "convicted", "charged", "investigation"),
    "secret-service": ("protective", "counterfeit", "financial crime", "Secret Service"),
}


# Words a title leaves in lower case unless they come first.
_SMALL = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"}


def topic_label(topic: str) -> str:
    """A topic's title for people: `secret-service` -> `Secret Service`,
    `drugs-and-trafficking` -> `Drugs and Trafficking`."""
    words = topic.replace("_", "-").split("-")
    return " ".join(
        w if (i and w in _SMALL) else w[:1].upper() + w[1:] for i, w in enumerate(words) if w
    )
