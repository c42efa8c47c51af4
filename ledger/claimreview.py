"""The verdicts as schema.org ClaimReview, the markup fact-checkers publish for search engines.

Follows Google's fact-check documentation: each review has `claimReviewed`, `reviewRating` with a word as
`alternateName`, `url` (the entry's permalink on the published page), `author` (the publishing organisation) and
`datePublished`, and reviews a `Claim` with its speaker, the day it was said and where it appeared.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from ledger.config import Site
from ledger.escape import web_url
from ledger.summary import Report

# Google's numeric scale runs from 1 (false) to 5 (true), 3 being half true. Unresolvable and withdrawn are no
# verdict on the words, so they carry a word and no number.
RATING = {"correct": 5, "partly_correct": 3, "wrong": 1}
RATING_WORD = {"correct": "Correct", "partly_correct": "Partly correct", "wrong": "Wrong",
               "unresolvable": "Unresolvable", "withdrawn": "Withdrawn by the speaker"}


def reviews(r: Report, site: Optional[Site]) -> list[dict[str, Any]]:
    """One ClaimReview for each resolved entry, in the report's order; without a site, no url and no author."""
    out = []
    for e in r.entries:
        if e.status == "open":
            continue
        claim: dict[str, Any] = {"@type": "Claim", "author": {"@type": "Person", "name": e.speaker},
                                 "datePublished": e.said_on.isoformat()}
        source = r.sources.get(e.source)
        if source and web_url(source.url):
            appearance: dict[str, Any] = {"@type": "CreativeWork", "url": source.url,
                                          "headline": source.title_en or source.title}
            if source.outlet:
                appearance["publisher"] = {"@type": "Organization", "name": source.outlet}
            claim["appearance"] = appearance
        rating: dict[str, Any] = {"@type": "Rating", "alternateName": RATING_WORD[e.status]}
        if e.status in RATING:
            rating.update(ratingValue=RATING[e.status], bestRating=5, worstRating=1)
        review: dict[str, Any] = {"@type": "ClaimReview", "identifier": e.id}
        if site is not None:
            review["url"] = site.entry_url(e.id)
            review["author"] = {"@type": "Organization", "name": site.publisher, "url": site.publisher_url}
        if e.resolved_on:
            review["datePublished"] = e.resolved_on.isoformat()
        review.update(claimReviewed=e.summary, itemReviewed=claim, reviewRating=rating)
        out.append(review)
    return out


def document(items: list[dict[str, Any]], indent: Optional[int] = 2) -> str:
    """The reviews as one JSON-LD document."""
    return json.dumps({"@context": "https://schema.org", "@graph": items}, ensure_ascii=False, indent=indent)
