"""The documentation holds together: README.md is a short front door, and every link and file path
in README.md and docs/*.md leads somewhere that exists."""

from __future__ import annotations

import re
from pathlib import Path


def _project_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "README.md").is_file() and (folder / "docs").is_dir() and (folder / "search").is_dir():
            return folder
    raise RuntimeError("project root (README.md, docs/, search/) not found above this test")


ROOT = _project_root()
README = ROOT / "README.md"
README_MAX_BYTES = 8192
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=\"([^\"]*)\"", re.I)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)

# Paths of the project's code named in the pages (in `code`), checked to exist.
CODE_FOLDERS = ("search/", "web/", "bench/", "evaluation/", "tests/", "deploy/")
# Named by the pages ahead of the change that adds them (issue 15: the search flow both engines
# share, and the engine-neutral result types). Once they exist this test fails: empty the set.
PENDING: set[str] = set()


def _prose(text: str) -> str:
    """The page without fenced code blocks: links and headings inside them are examples."""
    return FENCE.sub("", text)


def _without_code_spans(text: str) -> str:
    return CODE_SPAN.sub("", text)


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in HEADING.findall(_prose(page.read_text(encoding="utf-8"))):
        slug = _slug(heading)
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        else:
            seen[slug] = 0
        found.add(slug)
    return found


def links(page: Path) -> list[str]:
    text = _without_code_spans(_prose(page.read_text(encoding="utf-8")))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text) + HTML_LINK.findall(text)


def relative_links(page: Path) -> list[tuple[str, Path, str]]:
    """(link as written, file it points to, anchor or "") for every link that is not a URL."""
    found = []
    for link in links(page):
        if not link or SCHEME.match(link) or link.startswith("//"):
            continue
        path, _, anchor = link.partition("#")
        target = page if not path else (page.parent / path).resolve()
        found.append((link, target, anchor))
    return found


def test_readme_is_a_short_front_door():
    size = README.stat().st_size
    assert size < README_MAX_BYTES, (f"README.md is {size:,} bytes; keep it under {README_MAX_BYTES:,} "
                                     "(move detail to docs/)")


def test_every_relative_link_points_to_a_file_that_exists():
    broken = []
    for page in PAGES:
        for link, target, _ in relative_links(page):
            if not target.exists():
                broken.append(f"{page.relative_to(ROOT)}: {link}")
            elif ROOT not in target.parents and target != ROOT:
                broken.append(f"{page.relative_to(ROOT)}: {link} (outside the project)")
    assert not broken, "links to missing files:\n" + "\n".join(broken)


def test_every_anchor_names_a_heading_of_its_page():
    broken = []
    for page in PAGES:
        for link, target, anchor in relative_links(page):
            if anchor and target.suffix == ".md" and target.exists() and anchor not in anchors(target):
                broken.append(f"{page.relative_to(ROOT)}: {link}")
    assert not broken, "links to headings that do not exist:\n" + "\n".join(broken)


def test_every_docs_page_is_reachable_from_the_readme():
    reached, todo = {README}, [README]
    while todo:
        for _, target, _ in relative_links(todo.pop()):
            if target.suffix == ".md" and target.exists() and target not in reached:
                reached.add(target)
                todo.append(target)
    unreached = [str(page.relative_to(ROOT)) for page in PAGES if page not in reached]
    assert not unreached, f"docs pages no link leads to from README.md: {unreached}"


def test_every_code_path_named_exists():
    named: dict[str, str] = {}
    for page in PAGES:
        for _, span in CODE_SPAN.findall(_prose(page.read_text(encoding="utf-8"))):
            span = span.strip()
            if span.startswith(CODE_FOLDERS) and re.fullmatch(r"[\w./-]+", span):
                named.setdefault(span, str(page.relative_to(ROOT)))
    missing = {path for path in named if not (ROOT / path).exists()}
    assert missing == PENDING, "\n".join(
        [f"{named[path]}: `{path}` does not exist" for path in sorted(missing - PENDING)]
        + [f"`{path}` exists now (or is no longer named): remove it from PENDING" for path in sorted(PENDING - missing)]
    )


def test_the_slug_rules():
    assert _slug("Search: `GET /api/search`") == "search-get-apisearch"
    assert _slug("What differs from the Whoosh engine's") == "what-differs-from-the-whoosh-engines"
    assert _slug("Behind nginx, under a path") == "behind-nginx-under-a-path"
