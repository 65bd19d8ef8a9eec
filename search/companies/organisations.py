"""Organisations the gazetteer does not know, found by their evidence.

Organisations the gazetteer does not know are found by their evidence: a legal suffix ("Symplicity
Corporation"), a company's name ending ("Biman Bangladesh Airlines"), a description ("law firm
Sidley Austin", "UpGuard, a cybersecurity firm"), a ticker mark ("Lukens Inc <LUC>": ``ticker_names.py``)
or a company's context ("Xstrata's bid", "analyst at Bridgewell Securities"). Such a name counts where
its evidence is; ``rejection`` says why a name is still no company despite its evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import ahocorasick

from search.companies.cues import GIVEN_NAMES, context_names, is_place, listed_names
from search.companies.matcher import is_word_boundary

CORPORATE_NAME = "a company's name (Airlines, Industries...)"
LEGAL_SUFFIX, DESCRIBED, TICKER, CONTEXT = ("legal suffix", "described as a company", "named with a ticker",
                                            "in a company's context")

# Legal forms written after a name ("Standard Oil Co", "Foo Inc.", "HDT Védelmi Ipari Kft.").
# "Group" is left out on purpose: "Visegrad Group", "Lima Group" are not companies.
_SUFFIXES = {
    "Inc", "Incorporated", "Corp", "Corporation", "Co", "Cos", "Company", "Ltd", "Limited", "LLC", "LLP",
    "L.L.C.", "L.P.", "S.p.A", "Plc", "PLC", "plc", "AG", "SA", "S.A.", "NV", "N.V.", "GmbH", "SpA", "S.p.A.",
    "Holdings", "Pty", "Kft", "Zrt", "Nyrt", "Bhd", "Berhad", "BV", "B.V.", "ASA", "Oyj", "Pte", "Cie", "C.V.", "CV",
}

# Lowercase words that may join the capitalised words of a name ("Cable and Wireless PLC",
# "Bank of Tokyo Ltd", "Société de Gestion SA").
CONNECTORS = {"and", "of", "&", "de", "du", "des", "la", "le", "von", "van", "der", "y", "e", "und", "et", "en"}
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
_DESCRIBING_PREFIX = re.compile(r"-(?:based|run|owned|registered|controlled|listed|backed|headquartered|born)$",
                                re.IGNORECASE)


class Mention(NamedTuple):
    """An organisation the gazetteer does not name, found with evidence in a text."""

    start: int
    end: int
    name: str  # canonical: the gazetteer's name when the form with its suffix is an alias, else cleaned
    evidence: str  # LEGAL_SUFFIX, CORPORATE_NAME, DESCRIBED, TICKER or CONTEXT
    known: bool  # the gazetteer knows it (as "HDT Limited", say), so it is no candidate


class Token(NamedTuple):
    """A word or a single other character of a text, and where it is."""

    start: int
    end: int
    text: str


class Named(NamedTuple):
    """A name found with its evidence, before the gazetteer is asked what it is."""

    start: int
    end: int
    words: list[str]  # as written, with the legal suffixes
    evidence: str  # LEGAL_SUFFIX, CORPORATE_NAME, DESCRIBED or CONTEXT


def tokenize(text: str, offset: int = 0) -> list[Token]:
    """The tokens of ``text`` (see ``_TOKEN``), their places moved by ``offset``."""
    return [Token(match.start() + offset, match.end() + offset, match.group()) for match in _TOKEN.finditer(text)]


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
        if not is_word_boundary(text, start - 1) or not (is_word_boundary(text, end) and text[end : end + 1] != "-"):
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
    content = [word for word in words if word not in CONNECTORS]
    # "Investors Service", "Trading", "Canada" are no names; "American Telephone and Telegraph" and
    # "Bank of Tokyo" are.
    if not content or (all(word in _GENERIC for word in content) and len(content) < 3 and len(content) == len(words)):
        return "generic words only"
    if not any(ch.isalpha() for ch in name) or len(name) < 2:
        return "no name"  # "firm 19", "B"
    if (len([w for w in words if len(w) >= 4 and w.isupper()]) >= 2
            and all(w.isupper() or w in CONNECTORS for w in words)):
        return "a headline in capitals"  # "MORGAN GRENFELL GROUP PLC"; its story names it properly
    if words[-1] in _NOT_COMPANY_ENDINGS:
        return f"ends like a public body or institution ({words[-1]})"
    if words[0] in CONNECTORS or words[-1] in CONNECTORS:
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


def _legal_names(text: str, tokens: list[Token]) -> list[Named]:
    """Names followed by a legal suffix or a company's name ending: Named(start, end, words with the
    suffixes, evidence)."""
    found = []
    index = 0
    while index < len(tokens):
        if tokens[index].text not in _SUFFIXES and tokens[index].text not in _HEADS:
            index += 1
            continue
        named, index = _legal_name_at(text, tokens, index)
        if named is not None:
            found.append(named)
    return found


def _legal_name_at(text: str, tokens: list[Token], index: int) -> tuple[Named | None, int]:
    """The name whose suffix (or name ending) starts at ``tokens[index]``, and the index after it."""
    # The suffixes: "Co", "Co Inc", "Co., Ltd.", "Holdings Ltd", "Corp of America".
    last, probe = _suffix_run(tokens, index)
    suffixes = [token.text for token in tokens[index : last + 1] if token.text not in ".,"]
    if suffixes == ["Company"]:  # alone, also "Charlie Company", "Royal Shakespeare Company"
        return None, last + 1
    tail, last = _of_place(tokens, probe, last)
    first_suffix = index
    if tokens[index].text in ("Co", "Cos", "Company") and index > 0 and tokens[index - 1].text in ("and", "&"):
        first_suffix -= 1  # "Woolcott and Co Inc", "Goldman Sachs & Co"
        suffixes.insert(0, tokens[first_suffix].text)
    words, start = name_before(text, tokens, first_suffix)
    if not words:
        return None, last + 1
    evidence = LEGAL_SUFFIX if any(word in _SUFFIXES for word in suffixes) else CORPORATE_NAME
    if evidence == CORPORATE_NAME:
        if _longer_name_follows(tokens, last):
            return None, last + 1  # "National Telecommunications Commission": the ending is inside a longer name
        words, start = _last_of_two_names(text, words, start)
    if not words:
        return None, last + 1
    return Named(start, tokens[last].end, words + suffixes + tail, evidence), last + 1


def names_with_evidence(text: str) -> list[Named]:
    """Every name ``text`` gives evidence for, before the gazetteer is asked: legal suffixes and
    descriptions (read around their hint words), names listed after a company noun ("companies such
    as ..."), then names in a company's context ("Xstrata's bid")."""
    names: list[Named] = []
    for first, last in _windows(text):
        part = text[first:last]
        tokens = tokenize(part)
        names += [Named(start + first, end + first, words, evidence)
                  for start, end, words, evidence in (_legal_names(part, tokens)
                                                      + _described_names(part, tokens, first == 0))]
    return names + _listed_names(text) + _names_in_context(text)


def _listed_names(text: str) -> list[Named]:
    """Names listed after a plural company noun: "companies such as Nokia, Sagem, Sony and Thomson"."""
    names = []
    for start, end, written in listed_names(text):
        words = written.split()
        # The place test reads the name as written: cleaning it ("U.S." -> "U.S") can hide a place.
        if words and words[0] not in _LEADING_NOISE and not is_place(written):
            names.append(Named(start, end, words, DESCRIBED))
    return names


def _names_in_context(text: str) -> list[Named]:
    """Names in a company's context ("Xstrata's bid", "analyst at Bridgewell Securities"), without
    the words before them that are no name ("The", "Monday", a given name)."""
    names = []
    for start, end, written in context_names(text):
        words = written.split()
        while words and (words[0] in _LEADING_NOISE or words[0] in _NOT_A_NAME or words[0] in GIVEN_NAMES):
            start += len(words[0]) + 1
            words = words[1:]
        if words and not is_place(" ".join(words)) and not (len(words) == 1 and start == 0):
            names.append(Named(start, end, words, CONTEXT))
    return names


def _gap_before(tokens: list[Token], index: int) -> int:
    """How many characters lie between ``tokens[index]`` and the token before it."""
    return tokens[index].start - tokens[index - 1].end


def _suffix_run(tokens: list[Token], index: int) -> tuple[int, int]:
    """The index of the last suffix of the run that starts at ``index`` ("Co., Ltd."), and of the
    token after the run."""
    last = index
    probe = index + 1
    while probe < len(tokens):
        word = tokens[probe].text
        if word == "." and _gap_before(tokens, probe) == 0:
            last = probe
        elif word == "," and probe + 1 < len(tokens) and tokens[probe + 1].text in _SUFFIXES:
            pass  # "Co., Ltd.": a comma between two suffixes
        elif word in _SUFFIXES and _gap_before(tokens, probe) <= 1:
            last = probe
        else:
            break
        probe += 1
    return last, probe


def _of_place(tokens: list[Token], probe: int, last: int) -> tuple[list[str], int]:
    """"Hospital Corp of America", "Anglo American Corp of South Africa Ltd": "of" and up to three
    words after the suffixes at ``probe``, and the index of the last token they (and the suffixes
    after them) take; ``[]`` and ``last`` when there are none."""
    if probe + 1 >= len(tokens) or tokens[probe].text != "of":
        return [], last
    words: list[str] = []
    after = probe + 1
    while after < len(tokens) and len(words) < 3 and _word_of_place(tokens, after):
        words.append(tokens[after].text)
        after += 1
    if not words:
        return [], last
    last = after - 1
    while after < len(tokens) and tokens[after].text in _SUFFIXES and _gap_before(tokens, after) <= 1:
        last = after
        after += 1
    return ["of", *words], last


def _word_of_place(tokens: list[Token], index: int) -> bool:
    """True for a capitalised word, one space after the word before, that is no suffix or clause start."""
    word = tokens[index].text
    return (_is_capitalised(word) and word not in _LEADING_NOISE and word not in _SUFFIXES
            and _gap_before(tokens, index) == 1)


def _longer_name_follows(tokens: list[Token], last: int) -> bool:
    """True when a capitalised word follows the name ending at ``last``: the ending is inside a longer name."""
    following = tokens[last + 1].text if last + 1 < len(tokens) else ""
    return _is_capitalised(following) and following not in _LEADING_NOISE


def _last_of_two_names(text: str, words: list[str], start: int) -> tuple[list[str], int]:
    """"Big Machine and Dick Clark Productions": the words after the last "and", and where they start."""
    if "and" not in words and "&" not in words:
        return words, start
    cut = max(position for position, word in enumerate(words) if word in ("and", "&")) + 1
    start = text.find(words[cut], start) if cut < len(words) else start
    return words[cut:], start


def name_before(text: str, tokens: list[Token], index: int) -> tuple[list[str], int]:
    """Walk left from the suffix at ``index`` over the name's words; return them and their start."""
    probe = index - 1
    if _comma_before_suffix(tokens, index):
        probe -= 1  # "Hungarian National Asset Management, Inc."
    words, probe = _words_leftwards(text, tokens, probe)
    partner = _partner_before_comma(tokens, probe, index, words)
    if partner is not None:
        words.insert(0, partner)
        probe -= 2
    if probe >= 0 and tokens[probe].text.lower() in _NOT_COMPANY_CUES:
        return [], 0  # what comes before the name says it is no company ("rock band Blues Incorporated")
    words = _after_clause_start(words)
    if not words or _ends_a_longer_word(text, words[0].start):
        return [], 0
    return [word.text for word in words], words[0].start


def _comma_before_suffix(tokens: list[Token], index: int) -> bool:
    """True when a comma sits right before the suffix at ``index``, after one space: "Management, Inc."."""
    comma = index - 1
    return comma >= 0 and tokens[comma].text == "," and tokens[comma].end == tokens[index].start - 1


def _words_leftwards(text: str, tokens: list[Token], probe: int) -> tuple[list[Token], int]:
    """The name's words from ``tokens[probe]`` leftwards, and the index of the token before them."""
    words: list[Token] = []
    while probe >= 0 and len(words) < MAX_NAME_WORDS:
        token = tokens[probe]
        following = tokens[probe + 1].start if probe + 1 < len(tokens) else len(text)
        if words and _apart(text, token.end, following):
            break
        if not _extends_name_leftwards(tokens, probe, words):
            break
        words.insert(0, token)
        probe -= 1
    return words, probe


def _apart(text: str, end: int, following: int) -> bool:
    """True when more than one space separates two tokens: not one name (a wire story's line break
    is one space)."""
    return following - end > 1 and not _line_wrap(text[end:following])


def _extends_name_leftwards(tokens: list[Token], probe: int, words: list[Token]) -> bool:
    """True when ``tokens[probe]`` belongs to the name whose words (so far) are ``words``."""
    token = tokens[probe].text
    if _possessive(token):
        # "McDonald's Corp" and "Moody's Investors Service Inc" keep it; "John Lydon's Public
        # Image Ltd" does not: what follows a person's possessive is a name of its own.
        return all(word.text in _GENERIC for word in words)
    if _DESCRIBING_PREFIX.search(token) or (token in _SUFFIXES and words):
        return False  # "Virginia-based X Corp"; "Scott Inc and Woolcott and Co": a name ends at its suffix
    if token in CONNECTORS:
        return bool(words) and probe > 0 and _connector_joins(token, tokens[probe - 1].text)
    return _is_capitalised(token)


def _connector_joins(connector: str, previous: str) -> bool:
    """True when ``connector`` joins the word ``previous`` to the name after it ("Cable and Wireless",
    "Bank of Tokyo"); "of" only after a noun that heads such a name, not "Allan Leslie of Discount Corp"."""
    if not _is_capitalised(previous) or previous in _LEADING_NOISE or previous in _SUFFIXES:
        return False
    return connector != "of" or previous in _GENERIC or previous in _OF_HEADS


def _partner_before_comma(tokens: list[Token], probe: int, index: int, words: list[Token]) -> Token | None:
    """"Bear, Stearns and Co", "Dillon, Read and Co Inc": the partner's name before the comma at
    ``probe``, as the name's first word (with its comma), or None."""
    if probe < 1 or tokens[probe].text != "," or not words:
        return None
    comma, partner = tokens[probe], tokens[probe - 1]
    names_partners = tokens[index].text in ("and", "&") or any(word.text in ("and", "&") for word in words)
    if not names_partners or comma.start != partner.end:
        return None
    if not _could_be_a_partner(partner.text):
        return None
    if probe >= 2 and _is_capitalised(tokens[probe - 2].text):
        return None  # a longer name before the comma, not a partner's
    return Token(partner.start, partner.end, partner.text + ",")


def _could_be_a_partner(word: str) -> bool:
    """True for a capitalised word, not possessive, that is no common or generic word ("Bear", "Dillon")."""
    return _is_capitalised(word) and not _possessive(word) and word not in _NOT_A_NAME | _LEADING_NOISE | _GENERIC


def _after_clause_start(words: list[Token]) -> list[Token]:
    """The words after the last one that starts a clause ("USDA The Commodity Credit Corp" ->
    "Commodity Credit"), without connectors at the start."""
    clause_starts = [position for position, word in enumerate(words) if word.text in _LEADING_NOISE]
    if clause_starts:
        words = words[clause_starts[-1] + 1 :]
    while words and (words[0].text in CONNECTORS or words[0].text in _LEADING_NOISE):
        words = words[1:]
    return words


def _ends_a_longer_word(text: str, start: int) -> bool:
    """True when the name at ``start`` is the last part of a longer one: "San/Bar Corp"."""
    return start > 0 and text[start - 1] in "/-"


_CLAUSE_STARTS = set(",;:(—–\"“")
# Words after which a name starts its clause: "... by UpGuard, a cybersecurity firm".
_CLAUSE_WORDS = {"by", "from", "with", "and", "of", "at", "for", "to", "in", "on"}


def _described_names(text: str, tokens: list[Token], whole: bool = True) -> list[Named]:
    """Names described as companies: "law firm Sidley Austin", "UpGuard, a cybersecurity firm"."""
    if not text:
        return []
    found = []
    starts = {token.start: index for index, token in enumerate(tokens)}
    for match in _DESCRIBED_AFTER.finditer(text):
        index = starts.get(match.end())
        named = _named_after_description(text, tokens, index, match) if index is not None else None
        if named is not None:
            found.append(named)
    for match in _DESCRIBED_BEFORE.finditer(text):
        index = starts.get(match.start())
        named = _named_before_description(tokens, index, whole) if index else None  # not at the first token
        if named is not None:
            found.append(named)
    return found


def _named_after_description(text: str, tokens: list[Token], index: int, match: re.Match) -> Named | None:
    """The name that ``tokens[index]`` starts, after the description ``match``: "law firm Sidley Austin"."""
    noun = match.group("noun")
    start = tokens[index].start
    words, end = _words_rightwards(tokens, index)
    if words[:1] == ["The"] and noun not in _PUBLICATION_NOUNS:
        words = words[1:]  # "the newspaper The Times" keeps it
        start = text.index(words[0], start) if words else start
    if noun.endswith("s"):
        words, end = _first_of_several(words, start, end)
    while words and words[-1] in CONNECTORS:
        words.pop()
    if _comma_left_open(text, match, end) or not _may_start_a_name(words):
        return None
    return Named(start, end, words, DESCRIBED)


def _first_of_several(words: list[str], start: int, end: int) -> tuple[list[str], int]:
    """The first of several names joined by "and" ("start-up companies Gizmondo and Tapwave"), and
    where it ends."""
    joins = [position for position, word in enumerate(words) if word in ("and", "&")]
    if not joins:
        return words, end
    first = words[: joins[0]]
    return first, start + len(" ".join(first))


def _comma_left_open(text: str, match: re.Match, end: int) -> bool:
    """True when a comma after the description has no comma after the name: "a company, spotLESS
    Materials, to ..." is a name, "the party's website, Jephcott is" is not."""
    return match.group().rstrip().endswith(",") and not text.startswith(",", end)


def _may_start_a_name(words: list[str]) -> bool:
    """True when ``words`` are a name: not empty, and the first is no weekday, title or pronoun."""
    return bool(words) and words[0] not in _NOT_A_NAME and words[0] not in _LEADING_NOISE - {"The"}


def _words_rightwards(tokens: list[Token], index: int) -> tuple[list[str], int]:
    """The words of the name that ``tokens[index]`` starts, and where they end."""
    words: list[str] = []
    end = tokens[index].start
    while index < len(tokens) and len(words) < MAX_NAME_WORDS:
        token = tokens[index]
        if (words and token.start - end > 1) or _DESCRIBING_PREFIX.search(token.text):
            break
        if _possessive(token.text) and _is_capitalised(token.text):
            words.append(token.text[:-2])  # "Acme's": the name ends with its possessive
            return words, token.end - 2
        if not (_word_of_name(token.text, words) or _connector_before_capital(tokens, index, words)):
            break
        words.append(token.text)
        end = token.end
        index += 1
    return words, end


def _word_of_name(token: str, words: list[str]) -> bool:
    """True for a capitalised word, not a possessive, that may follow ``words`` in a name."""
    return _is_capitalised(token) and (not words or token not in _LEADING_NOISE) and not _possessive(token)


def _connector_before_capital(tokens: list[Token], index: int, words: list[str]) -> bool:
    """True for a connector inside a name, followed by a capitalised word ("Marks and Spencer")."""
    following = index + 1
    return (tokens[index].text in CONNECTORS and bool(words) and following < len(tokens)
            and _is_capitalised(tokens[following].text))


def _named_before_description(tokens: list[Token], index: int, whole: bool) -> Named | None:
    """The name before the description at ``tokens[index]``: "UpGuard, a cybersecurity firm"."""
    words, probe = _capitalised_words_before(tokens, index)
    while words and (words[0].text in _LEADING_NOISE or words[0].text in CONNECTORS):
        words = words[1:]
    if not words or words[0].text in _NOT_A_NAME or not _starts_clause(tokens, probe, whole):
        return None
    return Named(words[0].start, tokens[index - 1].end, [word.text for word in words], DESCRIBED)


def _capitalised_words_before(tokens: list[Token], index: int) -> tuple[list[Token], int]:
    """The capitalised words (joined by "and" or "&") just before ``tokens[index]``, and the index
    of the token before them."""
    words: list[Token] = []
    probe = index - 1
    while probe >= 0 and len(words) < MAX_NAME_WORDS:
        token = tokens[probe]
        if words and tokens[probe + 1].start - token.end > 1:
            break
        if (not (_is_capitalised(token.text) and not _possessive(token.text))
                and not _and_between_names(tokens, probe, words)):
            break
        words.insert(0, token)
        probe -= 1
    return words, probe


def _and_between_names(tokens: list[Token], probe: int, words: list[Token]) -> bool:
    """True for "and" or "&" between two capitalised words of the name; not "of": "Chris Fallows of
    Apex Shark Expeditions" is a person of a company."""
    return tokens[probe].text in ("and", "&") and bool(words) and probe > 0 and _is_capitalised(tokens[probe - 1].text)


def _starts_clause(tokens: list[Token], probe: int, whole: bool) -> bool:
    """True when the name after ``tokens[probe]`` starts its clause ("..., said Tom Smith, a company
    spokesman" is a person); at the start of the text only when the text is ``whole``, not a window."""
    if probe < 0:
        return whole
    before = tokens[probe].text
    return before in _CLAUSE_STARTS or before in _LEADING_NOISE or before.lower() in _CLAUSE_WORDS
