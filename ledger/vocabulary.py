"""The ledger's fixed words: kinds, statuses, evidence types, topics, and the forms of ids and deadlines.

Kept apart from the model so that commands which only need the words start without loading pydantic.
"""

KINDS = ("prediction", "claim")
ATTRIBUTIONS = ("direct", "reported", "secondary")
STATUSES = ("open", "correct", "partly_correct", "wrong", "unresolvable", "withdrawn")
RESOLVED_STATUSES = STATUSES[1:]
# What a verdict counts for in the hit rate and the Brier score; unresolvable and withdrawn are no verdict.
OUTCOME = {"correct": 1.0, "partly_correct": 0.5, "wrong": 0.0}
SCORED_STATUSES = tuple(OUTCOME)
# primary: the organisation's own announcement, filing, product page or data; report: independent reporting by a
# news organisation or research body; speaker: the speaker's (or their company's) own later account.
EVIDENCE_TYPES = ("primary", "report", "speaker")
TOPICS = (
    "agents",
    "agi",
    "business",
    "coding",
    "competition",
    "compute",
    "devices",
    "energy",
    "interfaces",
    "jobs",
    "memory",
    "models",
    "open-source",
    "research",
    "robotics",
    "safety",
    "science",
    "society",
    "users",
    "video",
)
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
DEADLINE_PATTERN = (
    r"^(\d{4}(-(0[1-9]|1[0-2])(-\d{2})?|-Q[1-4]|-H[12])?"
    r"|within [1-9][0-9]* (years?|months?|weeks?))$"
)
