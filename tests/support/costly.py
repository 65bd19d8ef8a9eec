"""The expensive requests of issue 16 (an attacker's table, and the digit, fuzzy and phrase variants), run one
at a time in a child process against an index, each reporting its status, wall and CPU time and the
process's memory before and after: ``python -m tests.support.costly INDEX_DIR NAME``."""

from __future__ import annotations

import itertools
import json
import sys
import time
from urllib.parse import urlencode

from tests.support.memory import current_mb, peak_mb, reset_peak

_TWO = ["".join(pair) + "*" for pair in itertools.product("abcdefghij", repeat=2)]
_NUMBERS = " OR ".join(f"{n}*" for n in range(10, 20))
_COMPANIES = " ".join(f"company:{a}{b}*" for a, b in itertools.product("psbcmt", "aeiour"))
_PREFIXES = "oil* pri* bank* rat* mark* sto* tra* gro* fin* sal* sen* bu* gov* ind* int*"

COSTLY = {
    "atom-100-wildcards": ("/search.atom", {"q": " ".join(_TWO), "match": "any", "per_page": 100}),
    "fuzzy-digits": ("/api/search", {"q": "1987~2 1986~2 1985~2"}),
    "wildcards-on-numbers": ("/api/search", {"q": _NUMBERS}),
    "30-wildcards-newest": ("/api/search", {"q": " ".join(_TWO[:30]), "match": "any", "sort": "newest",
                                            "per_page": 100}),
    "html-100-wildcards": ("/", {"q": " ".join(_TWO), "match": "any", "per_page": 100}),
    "embed-100-wildcards": ("/embed/fragment", {"q": " ".join(_TWO), "match": "any", "per_page": 100}),
    "phrase-one-word-190-times": ("/api/search", {"q": '"' + " ".join(["said"] * 190) + '"~50'}),
    "phrase-32-words": ("/api/search", {"q": '"' + " ".join(["said"] * 32) + '"~50'}),
    "phrase-two-common-words": ("/api/search", {"q": '"said said"~50', "per_page": 100}),
    "fuzzy-mixed": ("/api/search", {"q": "a1b2~2 x9y8~2 q1w2~2"}),
    "company-wildcards": ("/api/search", {"q": _COMPANIES[:999].rsplit(" ", 1)[0]}),
    "fuzzy-year": ("/", {"q": "1987~2"}),
    "15-wildcards-newest": ("/api/search", {"q": _PREFIXES, "match": "any", "sort": "newest", "per_page": 100}),
    "15-wildcards-atom": ("/search.atom", {"q": _PREFIXES, "match": "any", "per_page": 100}),
    "15-wildcards-html": ("/", {"q": _PREFIXES, "match": "any", "per_page": 100}),
    "15-wildcards-csv": ("/search.csv", {"q": _PREFIXES, "match": "any"}),
    "fuzzy-words": ("/api/search", {"q": "tiktk~2 bytedanse~2 hauwei~2", "match": "any", "per_page": 100}),
}


# What a refusal says (a 400 names the limit or what to change; a 503 what to narrow).
READABLE = ("at most", "narrow", "Narrow", "fuzzy matching", "too costly", "took too long")


def main(index_dir: str, name: str) -> None:
    from web import create_app

    client = create_app({"INDEX_DIR": index_dir}).test_client()
    client.get("/api/search?q=warm")  # the build is opened and its arrays built before the clock starts
    path, params = COSTLY[name]
    reset_peak()  # the peak of this request alone, not of the warm-up or of the pytest process that started us
    before = current_mb()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"{path}?{urlencode(params)}")
    body = response.get_data().decode("utf-8", "replace")
    print(json.dumps({"status": response.status_code, "seconds": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu, "rss_before_mb": before,
                      "rss_after_mb": peak_mb(),
                      "traceback": "Traceback" in body, "readable": any(words in body for words in READABLE),
                      "body": body[:300]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
