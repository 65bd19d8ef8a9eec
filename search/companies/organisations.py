"""Organisations the gazetteer does not know, found by their evidence.

Organisations the gazetteer does not know are found by their evidence: a legal suffix ("Symplicity
Corporation"), a company's name ending ("Biman Bangladesh Airlines"), a description ("law firm
Sidley Austin", "UpGuard, a cybersecurity firm"), a ticker mark ("Lukens Inc <LUC>") or a company's
context ("Xstrata's bid", "analyst at Bridgewell Securities"). Such a name counts where its
evidence is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import ahocorasick

from search.companies.cues import is_place
from search.companies.matcher import _is_word_boundary

CORPORATE_NAME = "a company's name (Airlines, Industries...)"
LEGAL_SUFFIX, DESCRIBED, TICKER, CONTEXT = "legal suffix", "described as a company", "named with a ticker", "in a company's context"

# Legal forms written after a name ("Standard Oil Co", "Foo Inc.", "HDT Védelmi Ipari Kft.").
# "Group" is left out on purpose: "Visegrad Group", "Lima Group" are not companies.
_SUFFIXES = {
    "Inc", "Incorporated", "Corp", "Corporation", "Co", "Cos", "Company", "Ltd", "Limited", "LLC", "LLP",
    "L.L.C.", "L.P.", "S.p.A", "Plc", "PLC", "plc", "AG", "SA", "S.A.", "NV", "N.V.", "GmbH", "SpA", "S.p.A.",
    "Holdings", "Pty", "Kft", "Zrt", "Nyrt", "Bhd", "Berhad", "BV", "B.V.", "ASA", "Oyj", "Pte", "Cie", "C.V.", "CV",
}

# Lowercase words that may join the capitalised words of a name ("Cable and Wireless PLC",
# "Bank of Tokyo Ltd", "Société de Gestion SA").
_CONNECTORS = {"and", "of", "&", "de", "du", "des", "la", "le", "von", "van", "der", "y", "e", "und", "et", "en"}
# Words that start a sentence or a clause rather than a name.
_LEADING_NOISE = {
    "A", "An", "The", "In", "On", "At", "By", "For", "From", "Of", "And", "Or", "But", "With",
    "To", "As", "After", "Before", "While", "When", "Photo", "Photos", "Said", "Says", "Its",
    "Their", "His", "Her", "Our", "This", "That", "These", "Those", "Both", "Unit", "Subsidiary",
    "Then", "Thereafter", "Meanwhile", "However", "Yesterday", "Today", "Last", "Under", "Including",
    "According", "Also", "Like", "Between", "Against", "Through", "Via", "Per", "Shares", "Class",
}
# Words that are never the first word of a described name ("company founder", "firm Wednesday").
_NOT_A_NAME = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "CEO", "Chairman", "President", "Director", "Chief", "Minister", "Mr", "Mrs", "Ms", "Dr", "I", "We",
    "It", "He", "She", "They", "You", "Inc", "Corp", "Ltd", "LLC",
}
# "US Marine Corp(s)", "Peace Corps": bodies that are not companies.
_NOT_COMPANY_ENDINGS = {
    "Marine", "Marines", "Army", "Navy", "Peace", "Signal", "Medical", "University", "Institute", "Association",
    "Foundation", "Council", "Commission", "Ministry", "Department", "Agency", "Authority", "Society", "School",
    "College", "Party", "Union", "Federation", "Committee", "Government", "Court", "Police", "Office",
    "Board", "Library", "Museum", "Gallery", "Church", "Parliament", "Assembly",
}
# Words a name made only of is no name: "the Group said", "Trading Co", "Canada Inc".
_GENERIC = {
    "Holding", "Holdings", "Group", "Company", "Companies", "Corp", "Investment", "Investments",
    "Trading", "Industries", "International", "Bank", "Banking", "Trust", "Capital", "Partners", "Energy",
    "Oil", "Gas", "Financial", "Finance", "Securities", "Management", "Services", "Service", "Systems",
    "Resources", "Mining", "Investors", "Insurance", "Electric", "Power", "Light", "Telephone", "Telegraph",
    "Communications", "Development", "Chemical", "Petroleum", "Motor", "Motors", "Products", "Technologies",
    "Technology", "Manufacturing", "Marketing", "Credit", "Acquisition", "Enterprises", "Associates",
    "Brothers", "Sons", "Stores", "Industrial", "National", "General", "United", "American",
    "Global", "World", "Hospital", "Broadcasting", "Entertainment", "Media", "News", "Sales", "Discount",
    "Canada", "America", "Japan", "China", "Australia", "Europe", "Asia", "Africa", "India", "Tokyo", "London",
    "New", "York", "Southern", "Northern", "Western", "Eastern", "US", "U.S.", "UK", "Wireless", "Business",
    "Machines", "Steel", "Cars", "Air", "Airlines", "Shipping", "Foods", "Food", "Health",
}
# A word just before a legal name that says it is no company: "rock band Blues Incorporated".
_NOT_COMPANY_CUES = {
    "band", "group", "club", "team", "party", "ministry", "agency", "university", "school", "church",
    "charity", "foundation", "union", "orchestra", "choir", "album", "song", "film", "show", "magazine's",
}
# Descriptions that make the capitalised name next to them a company ("law firm Sidley Austin",
# "UpGuard, a cybersecurity firm"). Broadcasters and networks are left out: most named in the
# news are public (PBS, NRK, RTHK), which the archive does not count as companies.
# "daily" only after a capitalised word ("Greek daily Kathimerini", not "a daily Aspirin"); Python's
# lookbehinds have a fixed width, hence one per word length.
_DAILY = "|".join(rf"(?<=[A-Z][a-z]{{{n}}} )daily" for n in range(2, 13))
_COMPANY_NOUNS = (
    r"company|companies|firm|firms|corporation|conglomerate|retailer|airline|manufacturer|start-?ups?|newspaper|"
    r"tabloid|website|news site|app|supermarket chain|insurer|investment bank|brewer|carmaker|automaker|beermaker|"
    rf"chipmaker|drugmaker|handset maker|games maker|software maker|{_DAILY}"
)
_PUBLICATION_NOUNS = {"newspaper", "daily", "tabloid", "website", "news site"}


# Tokens: initials ("E.F.", "U.S.", "J. "), words with inner dots ("Amazon.com", "UOL.com.br"),
# words with apostrophes, ampersands and hyphens, then any single other character.
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s[A-Z])|[\w'’&-]+(?:\.[\w'’&-]+)*|\S")
_DESCRIBED_AFTER = re.compile(rf"\b(?P<noun>{_COMPANY_NOUNS}),?\s+(?:(?:called|named)\s+)?(?=[A-Za-z0-9])")
# "UpGuard, a cybersecurity firm, ...", "Apex Shark Expeditions, a company that ...": the noun ends
# the description (not "John Smith, a company spokesman").
_DESCRIBED_BEFORE = re.compile(
    rf",\s+an?\s+(?:[\w-]+\s+){{0,3}}?(?:{_COMPANY_NOUNS})(?=[,.;:)]|\s+(?:that|which|whose|based|"
    rf"headquartered|founded|owned|in|with|from|for|specialising|specializing)\b)"
)
# Words that end a company's name as a legal form does ("Biman Bangladesh Airlines", "Bower Industries",
# "Forest Laboratories"), rarely anything else's.
_HEADS = {
    "Airlines", "Airways", "Laboratories", "Pharmaceuticals", "Industries", "Bancorp", "Bancshares", "Securities",
    "Motors", "Petroleum", "Electronics", "Semiconductor", "Semiconductors", "Microsystems", "Software",
    "Telecommunications", "Breweries", "Brewery", "Distillers", "Refining", "Productions", "Records",
    "Communications", "Entertainment", "Studios", "Pictures",
}
# Only the text this far around a hint is read word by word (a name is at most MAX_NAME_WORDS long).
_WINDOW = 160
MAX_NAME_WORDS = 6
# Nouns that head a name with "of" ("Bank of Tokyo", "Food Corporation of India"), unlike a
# person's name ("Allan Leslie of Discount Corp").
_OF_HEADS = {"Association", "Society", "Bureau", "Board", "Authority", "Institute", "Exchange", "Federation",
             "Corporation", "Corp", "Company", "Co", "Union", "Chamber", "House", "Agency", "Commission", "Council"}
# "Virginia-based", "State-run", "US-registered": words that describe the name that follows.
_DESCRIBING_PREFIX = re.compile(r"-(?:based|run|owned|registered|controlled|listed|backed|headquartered|born)$", re.IGNORECASE)


class Mention(NamedTuple):
    """An organisation the gazetteer does not name, found with evidence in a text."""

    start: int
    end: int
    name: str  # canonical: the gazetteer's name when the form with its suffix is an alias, else cleaned
    evidence: str  # LEGAL_SUFFIX, CORPORATE_NAME, DESCRIBED, TICKER or CONTEXT
    known: bool  # the gazetteer knows it (as "HDT Limited", say), so it is no candidate



_HINT_WORDS = sorted({
    *_SUFFIXES, *_HEADS, "company", "companies", "firm", "firms", "corporation", "conglomerate", "retailer", "airline",
    "manufacturer", "start-up", "startup", "start-ups", "startups", "newspaper", "tabloid", "website", "news site",
    "app", "supermarket chain", "insurer", "investment bank", "brewer", "carmaker", "automaker", "beermaker",
    "chipmaker", "drugmaker", "handset maker", "games maker", "software maker", "daily",
})


@lru_cache(maxsize=1)
def _hint_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in _HINT_WORDS:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _hints(text: str) -> list[tuple[int, int]]:
    """Where ``text`` has a legal suffix, a company's name ending or a company noun (the words of
    ``_HINT_WORDS``), found by one Aho-Corasick pass instead of a regular expression tried at every word."""
    found = []
    for last, length in _hint_automaton().iter(text):
        start, end = last - length + 1, last + 1
        if not _is_word_boundary(text, start - 1) or not (_is_word_boundary(text, end) and text[end : end + 1] != "-"):
            continue
        found.append((start, end))
    return found


def _windows(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` around legal suffixes and company nouns, cut at spaces, merged."""
    windows: list[list[int]] = []
    for start, end in _hints(text) if text else ():
        first, last = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
        if windows and first <= windows[-1][1]:
            windows[-1][1] = last
        else:
            windows.append([first, last])
    cut = []
    for first, last in windows:
        if first > 0:
            space = text.find(" ", first, last)
            first = space + 1 if space >= 0 else first
        if last < len(text):
            space = text.rfind(" ", first, last)
            last = space if space > first else last
        cut.append((first, last))
    return cut


def rejection(name: str) -> str:
    """Why a name found with evidence is still no company ("" when it may be one)."""
    words = name.split()
    content = [word for word in words if word not in _CONNECTORS]
    # "Investors Service", "Trading", "Canada" are no names; "American Telephone and Telegraph" and
    # "Bank of Tokyo" are.
    if not content or (all(word in _GENERIC for word in content) and len(content) < 3 and len(content) == len(words)):
        return "generic words only"
    if not any(ch.isalpha() for ch in name) or len(name) < 2:
        return "no name"  # "firm 19", "B"
    if len([w for w in words if len(w) >= 4 and w.isupper()]) >= 2 and all(w.isupper() or w in _CONNECTORS for w in words):
        return "a headline in capitals"  # "MORGAN GRENFELL GROUP PLC"; its story names it properly
    if words[-1] in _NOT_COMPANY_ENDINGS:
        return f"ends like a public body or institution ({words[-1]})"
    if words[0] in _CONNECTORS or words[-1] in _CONNECTORS:
        return "a fragment"
    if len(words) == 1 and words[0] in _NOT_A_NAME:
        return "a common word"
    if is_place(name):
        return "a place"
    return ""


def _line_wrap(gap: str) -> bool:
    """True for the space between two words of one name broken across lines ("Citizens\\n    First")."""
    return not gap.strip() and gap.count("\n") == 1 and gap.startswith("\n")


def _is_capitalised(token: str) -> bool:
    first = token[:1]
    if first.isupper() or first.isdigit():
        return any(ch.isalpha() for ch in token) or len(token) > 1
    # "eTranslate", "spotLESS", "iRobot": lowercase start, then a capital
    return first.isalpha() and token.isalnum() and any(ch.isupper() for ch in token[1:])


def _possessive(token: str) -> bool:
    return token.endswith(("'s", "’s"))


def _legal_names(text: str, tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, list[str], str]]:
    """Names followed by a legal suffix: (start, end, words with the suffixes, evidence)."""
    found = []
    index = 0
    while index < len(tokens):
        token = tokens[index][2]
        if token not in _SUFFIXES and token not in _HEADS:
            index += 1
            continue
        # The suffixes: "Co", "Co Inc", "Co., Ltd.", "Holdings Ltd", "Corp of America".
        first_suffix = index
        last = index
        probe = index + 1
        while probe < len(tokens):
            word = tokens[probe][2]
            if word == "." and tokens[probe][0] == tokens[probe - 1][1]:
                last = probe
                probe += 1
            elif word == "," and probe + 1 < len(tokens) and tokens[probe + 1][2] in _SUFFIXES:
                probe += 1
            elif word in _SUFFIXES and tokens[probe][0] - tokens[probe - 1][1] <= 1:
                last = probe
                probe += 1
            else:
                break
        suffixes = [tokens[i][2] for i in range(first_suffix, last + 1) if tokens[i][2] not in ".,"]
        if suffixes == ["Company"]:  # alone, also "Charlie Company", "Royal Shakespeare Company"
            index = last + 1
            continue
        # "Hospital Corp of America", "Aluminum Co of America"
        # "Anglo American Corp of South Africa Ltd": up to three words, and the suffixes after them.
        tail: list[str] = []
        if probe + 1 < len(tokens) and tokens[probe][2] == "of":
            after = probe + 1
            while after < len(tokens) and len(tail) < 3 and _is_capitalised(tokens[after][2]) \
                    and tokens[after][2] not in _LEADING_NOISE and tokens[after][2] not in _SUFFIXES \
                    and tokens[after][0] - tokens[after - 1][1] == 1:
                tail.append(tokens[after][2])
                after += 1
            if tail:
                last = after - 1
                while after < len(tokens) and tokens[after][2] in _SUFFIXES and tokens[after][0] - tokens[after - 1][1] <= 1:
                    last = after
                    after += 1
                tail = ["of", *tail]
        if tokens[first_suffix][2] in ("Co", "Cos", "Company") and first_suffix > 0 \
                and tokens[first_suffix - 1][2] in ("and", "&"):
            first_suffix -= 1  # "Woolcott and Co Inc", "Goldman Sachs & Co"
            suffixes.insert(0, tokens[first_suffix][2])
        words, start = _name_before(text, tokens, first_suffix)
        if words:
            end = tokens[last][1]
            evidence = LEGAL_SUFFIX if any(w in _SUFFIXES for w in suffixes) else CORPORATE_NAME
            following = tokens[last + 1][2] if last + 1 < len(tokens) else ""
            if evidence == CORPORATE_NAME and _is_capitalised(following) and following not in _LEADING_NOISE:
                index = last + 1
                continue  # "National Telecommunications Commission": the ending is inside a longer name
            if evidence == CORPORATE_NAME and ("and" in words or "&" in words):
                cut = max(i for i, w in enumerate(words) if w in ("and", "&")) + 1
                start = text.find(words[cut], start) if cut < len(words) else start
                words = words[cut:]  # "Big Machine and Dick Clark Productions": the last of two names
            if words:
                found.append((start, end, words + suffixes + tail, evidence))
        index = last + 1
    return found


def _name_before(text: str, tokens: list[tuple[int, int, str]], index: int) -> tuple[list[str], int]:
    """Walk left from the suffix at ``index`` over the name's words; return them and their start."""
    words: list[tuple[int, str]] = []
    probe = index - 1
    if probe >= 0 and tokens[probe][2] == "," and tokens[probe][1] == tokens[index][0] - 1:
        probe -= 1  # "Hungarian National Asset Management, Inc."
    while probe >= 0 and len(words) < MAX_NAME_WORDS:
        start, end, token = tokens[probe]
        following = tokens[probe + 1][0] if probe + 1 < len(tokens) else len(text)
        if following - end > 1 and words and not _line_wrap(text[end:following]):
            break  # more than one space: not one name (a wire story's line break is one space)
        if _possessive(token):
            # "McDonald's Corp" and "Moody's Investors Service Inc" keep it; "John Lydon's Public
            # Image Ltd" does not: what follows a person's possessive is a name of its own.
            if not words or all(word in _GENERIC for _, word in words):
                words.insert(0, (start, token))
                probe -= 1
                continue
            break
        if _DESCRIBING_PREFIX.search(token) or (token in _SUFFIXES and words):
            break  # "Virginia-based X Corp"; "Scott Inc and Woolcott and Co": a name ends at its suffix
        if token in _CONNECTORS and words and probe > 0 and _is_capitalised(tokens[probe - 1][2]) \
                and tokens[probe - 1][2] not in _LEADING_NOISE and tokens[probe - 1][2] not in _SUFFIXES \
                and (token != "of" or tokens[probe - 1][2] in _GENERIC or tokens[probe - 1][2] in _OF_HEADS):
            words.insert(0, (start, token))
            probe -= 1
            continue
        if _is_capitalised(token) and token not in _CONNECTORS:
            words.insert(0, (start, token))
            probe -= 1
            continue
        break
    # "Bear, Stearns and Co", "Dillon, Read and Co Inc": a partner's name before a comma.
    if probe >= 1 and tokens[probe][2] == "," and words \
            and (tokens[index][2] in ("and", "&") or any(w in ("and", "&") for _, w in words)) \
            and _is_capitalised(tokens[probe - 1][2]) and not _possessive(tokens[probe - 1][2]) \
            and tokens[probe - 1][2] not in _NOT_A_NAME | _LEADING_NOISE | _GENERIC \
            and (probe < 2 or not _is_capitalised(tokens[probe - 2][2])) and tokens[probe][0] == tokens[probe - 1][1]:
        words.insert(0, (tokens[probe - 1][0], tokens[probe - 1][2] + ","))
        probe -= 2
    # What comes before the name may say it is no company ("rock band Blues Incorporated").
    if probe >= 0 and tokens[probe][2].lower() in _NOT_COMPANY_CUES:
        return [], 0
    # Cut at a word that starts a clause ("USDA The Commodity Credit Corp" -> "Commodity Credit").
    for position in range(len(words) - 1, -1, -1):
        if words[position][1] in _LEADING_NOISE:
            words = words[position + 1 :]
            break
    while words and (words[0][1] in _CONNECTORS or words[0][1] in _LEADING_NOISE):
        words = words[1:]
    if not words:
        return [], 0
    first = words[0][0]
    if first > 0 and text[first - 1] in "/-":
        return [], 0  # "San/Bar Corp": the name is longer than its last part
    return [word for _, word in words], first


_CLAUSE_STARTS = set(",;:(—–\"“")


def _described_names(text: str, tokens: list[tuple[int, int, str]], whole: bool = True) -> list[tuple[int, int, list[str], str]]:
    """Names described as companies: "law firm Sidley Austin", "UpGuard, a cybersecurity firm"."""
    found = []
    if not text:
        return found
    starts = {start: i for i, (start, _, _) in enumerate(tokens)}
    for match in _DESCRIBED_AFTER.finditer(text):
        index = starts.get(match.end())
        if index is None:
            continue
        keep_the = match.group("noun") in _PUBLICATION_NOUNS
        words: list[str] = []
        start = tokens[index][0]
        end = start
        while index < len(tokens) and len(words) < MAX_NAME_WORDS:
            token_start, token_end, token = tokens[index]
            if words and token_start - end > 1:
                break
            if _DESCRIBING_PREFIX.search(token):
                break
            if _is_capitalised(token) and (not words or token not in _LEADING_NOISE) and not _possessive(token):
                words.append(token)
            elif _possessive(token) and _is_capitalised(token):
                words.append(token[:-2])
                end = token_end - 2
                break
            elif token in _CONNECTORS and words and index + 1 < len(tokens) and _is_capitalised(tokens[index + 1][2]):
                words.append(token)
            else:
                break
            end = token_end
            index += 1
        if words and words[0] in ("The",) and not keep_the:
            words = words[1:]
            start = text.index(words[0], start) if words else start
        if match.group("noun").endswith("s") and ("and" in words or "&" in words):
            cut = min(words.index(w) for w in ("and", "&") if w in words)
            end = start + len(" ".join(words[:cut]))
            words = words[:cut]  # "start-up companies Gizmondo and Tapwave": the first of several
        while words and words[-1] in _CONNECTORS:
            words.pop()
        if match.group().rstrip().endswith(",") and not text.startswith(",", end):
            continue  # "a company, spotLESS Materials, to ..." but not "the party's website, Jephcott is"
        if words and words[0] not in _NOT_A_NAME and words[0] not in _LEADING_NOISE - {"The"}:
            found.append((start, end, words, DESCRIBED))
    for match in _DESCRIBED_BEFORE.finditer(text):
        index = starts.get(match.start())
        if index is None or index == 0:
            continue
        words_before: list[tuple[int, str]] = []
        probe = index - 1
        while probe >= 0 and len(words_before) < MAX_NAME_WORDS:
            token_start, token_end, token = tokens[probe]
            following = tokens[probe + 1][0]
            if words_before and following - token_end > 1:
                break
            if _is_capitalised(token) and not _possessive(token):
                words_before.insert(0, (token_start, token))
            elif token in ("and", "&") and words_before and probe > 0 and _is_capitalised(tokens[probe - 1][2]):
                words_before.insert(0, (token_start, token))  # not "of": "Chris Fallows of Apex Shark Expeditions"
            else:
                break
            probe -= 1
        while words_before and (words_before[0][1] in _LEADING_NOISE or words_before[0][1] in _CONNECTORS):
            words_before = words_before[1:]
        # Only a name that starts its clause: "..., said Tom Smith, a company spokesman" is a person.
        before = tokens[probe][2] if probe >= 0 else ""
        starts_clause = (probe < 0 and whole) or before in _CLAUSE_STARTS or before in _LEADING_NOISE \
            or before.lower() in ("by", "from", "with", "and", "of", "at", "for", "to", "in", "on")
        if words_before and starts_clause and words_before[0][1] not in _NOT_A_NAME:
            found.append((words_before[0][0], tokens[index - 1][1], [w for _, w in words_before], DESCRIBED))
    return found
