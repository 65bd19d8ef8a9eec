"""What the words around a name say about it: the cues the company extractor weighs.

- **Ticker marks.** Wire copy writes a listed company's ticker after its name ("Lukens Inc <LUC>",
  "BROWN GROUP INC <BG> 1ST QTR NET") and a private company's whole name in angle brackets
  ("<Biosystems Research Inc>"): either makes the name a company in one article.
- **Headlines in capitals.** "SHR 56 CTS" is no company CTS: in a text written in capitals a
  single word counts only when the article names the company elsewhere or a ticker follows it, and
  a capitalised name is written as the article's body writes it ("SOCIETE GENERALE" -> "Societe
  Generale").
- **Company contexts.** An ambiguous name ("Shell", "Total", "Ford") counts when the words around
  it are about a company: "Shell said", "shares in Total", "carmaker Ford".
- **People and places.** "Paul E. Lego" and "Henry Ford" are people; "South Africa Ltd" is the end of
  "Gold Fields of South Africa Ltd", and "USA" alone is no company.
"""

from __future__ import annotations

import re
from functools import lru_cache

TICKER_MARK = re.compile(r"<([A-Z][A-Z0-9]{0,6}(?:\.[A-Z]{1,3})?)>")
# "<Biosystems Research Inc>", "<Mitsui and Co USA Inc>": a name in angle brackets, with a space or
# a lower-case letter (a ticker has neither).
BRACKETED_NAME = re.compile(r"<([A-Z0-9][\w&'.,\- ]{1,80}?)>")

# Words of a headline in capitals that are no part of a name before a ticker.
HEADLINE_STOP = {
    "TO", "BUY", "BUYS", "SELL", "SELLS", "SAYS", "SAID", "SEES", "SET", "SETS", "GETS", "GET", "IN", "OF", "FOR",
    "ON", "AT", "BY", "AND", "WITH", "UNIT", "UNITS", "COMPLETES", "COMPLETE", "AGREES", "AGREE", "BID", "BIDS",
    "MERGER", "ACQUIRES", "ACQUIRE", "ACQUISITION", "STAKE", "OFFER", "OFFERS", "PLANS", "PLAN", "FILES", "FILE",
    "RAISES", "CUTS", "LIFTS", "WINS", "HAS", "HAVE", "IS", "NOT", "NO", "MAKES", "MAKE", "TALKS", "SEEK", "SEEKS",
    "REJECTS", "ENDS", "END", "FROM", "VS", "AFTER", "OVER", "INTO", "UP", "DOWN", "OFF", "OUT", "THE", "A",
    "AN", "DEAL", "SHARES", "SHARE", "PCT", "TAKEOVER", "HOLDERS", "HOLDER", "SUIT", "SUES", "STUDY", "STUDIES",
    "REPORTS", "REPORT", "NAMES", "NAME", "ELECTS", "DECLARES", "OMITS", "PAYS", "PAY", "QTLY", "DIVIDEND", "DIV",
    "RESUMES", "SPLIT", "SUSPENDS", "HALTS", "EXTENDS", "EXTEND", "TENDER", "ENTERS", "SIGNS", "SIGN", "LOOKS",
    "EXPECTS", "SEE", "WILL", "MAY", "CAN", "ISSUE", "CHAIRMAN", "PRESIDENT", "CHIEF", "OFFICER", "DEBT",
    "BUYOUT", "PURCHASE", "SALE", "RIGHTS", "PACT", "JOINT", "VENTURE", "FORMS", "FORM", "OPPOSES", "URGES",
    "RECEIVES", "RECEIVE", "ANNOUNCES", "COMPLETED", "AGREED", "SOLD", "BOUGHT", "RAISED", "CUT", "LOWERS", "RATES",
    "RATING", "RATINGS", "MOODY'S", "S/P", "DOWNGRADES", "UPGRADES", "AFFIRMS", "REVIEWS", "CONFIRMS", "NET",
    "LOSS", "PROFIT", "EARNINGS", "OPER", "QTR", "1ST", "2ND", "3RD", "4TH", "YEAR", "SHR", "CTS",
}

# Words after a name that say it is a business acting ("Shell said", "Total's chief executive").
_CUE_AFTER = re.compile(
    r"^(?:,?\s+(?:(?:has|had|have|will|would|could|also|is|was|then)\s+)?(?:said|says|announced|reported|posted|"
    r"agreed|plans|bought|sold|owns|employs|plc|Inc|Corp|Group|shares rose|shares fell|"
    r"(?:already\s+)?(?:set up|launched|signed|unveiled|hired|invested|acquired|warned|confirmed|denied|declined))\b"
    r"|['’]s\s+(?:chief|chairman|spokesman|spokeswoman|spokesperson|executives?|board|boss|shares?|stock|"
    r"shareholders|profits?|revenues?|sales|earnings|subsidiary|unit|stores|customers|bid|takeover)\b)"
)
_CUE_BEFORE = re.compile(
    r"(?:shares (?:in|of)|stake in|bid for|takeover of|owned by|acquired|rival|rivals|firm|company|group|giant|"
    r"maker|makers|carmaker|automaker|bank|banks|retailer|airline|carrier|operator|insurer|brewer|chain|"
    r"analysts? at|economists? at|chief executive of|chairman of|executives? at|staff at|workers at|"
    r"boss of|owner of|subsidiary of|unit of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PERSON_BEFORE = re.compile(r"(?:\b[A-Z]\.\s*|\b(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Dame|President|Senator|Judge)\.?\s+)$")
# Common given names: "Henry Ford", "Michael Dell" name people, not the companies after them.
GIVEN_NAMES = frozenset(
    "Adam Alan Albert Alex Alexander Alfred Alice Andrew Ann Anna Anne Anthony Arthur Barbara Ben Benjamin Bill "
    "Bob Brian Bruce Carl Carlos Charles Charlie Chris Christopher Clara Daniel David Dennis Donald Doug Douglas "
    "Ed Edward Elizabeth Emily Emma Eric Frank Fred Gary George Gerald Gordon Greg Harold Harrison Harry Helen "
    "Henry Howard Ian Jack Jacques James Jane Jean Jeff Jennifer Jim Joe John Jonathan Joseph Juan Julia Karen "
    "Kate Keith Ken Kenneth Kevin Larry Laura Lee Linda Lisa Louis Margaret Maria Mark Martin Mary Matthew "
    "Michael Mike Nancy Neil Nicholas Nick Oliver Pat Patrick Paul Peter Philip Phil Richard Rob Robert Roger "
    "Ron Ronald Ross Sam Samuel Sarah Scott Sean Simon Stephen Steve Steven Susan Thomas Tim Timothy Tom Tony "
    "Victor Walter William Willie".split()
)
# Names that are places, not companies, however they are written ("North American", "USA").
_PLACE_EXTRA = {
    "America", "American", "North America", "North American", "South America", "South American",
    "Latin America", "Central America", "Europe", "European", "Asia", "Asian", "Africa", "African",
    "Asia Pacific", "Asia-Pacific", "Pacific", "Atlantic", "Middle East", "Far East", "Southeast Asia",
    "USA", "U.S.A.", "US", "U.S.", "UK", "U.K.", "Britain", "Great Britain", "England", "Scotland", "Wales",
    "Hong Kong", "Taiwan", "Macau", "Holland", "Russia", "South Korea", "North Korea", "Korea", "Iran", "Vietnam",
    "Canada", "Canadian", "Australia", "Australian", "Japan", "Japanese", "China", "Chinese", "India", "Indian",
    "British", "German", "French", "Italian", "Spanish", "Dutch", "Swiss", "Irish", "International", "Overseas",
    "Mexico", "Brazil", "Texas", "California", "New York", "New England", "New Jersey", "Florida", "Midwest",
    "West Germany", "East Germany", "West German", "East German", "Soviet Union", "USSR", "Soviet", "Yugoslavia",
    "Czechoslovakia", "Burma", "Zaire", "Persian Gulf", "Wall Street", "Silicon Valley", "City of London",
    "Gulf", "Western", "Eastern", "Northern", "Southern", "Nordic", "Scandinavia", "Benelux", "Pacific Northwest",
}


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    import pycountry

    names = set(_PLACE_EXTRA)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.add(value)
    names |= {subdivision.name for subdivision in pycountry.subdivisions if subdivision.type in ("State", "Province")}
    return frozenset(names)


def is_place(name: str) -> bool:
    """True for a country, a large region, a US state or Canadian province, or words like "North American"."""
    words = [word for word in name.replace(" of ", " ").split() if word not in ("The", "the")]
    return " ".join(words) in _places()


def is_all_caps(text: str) -> bool:
    """True for a text written in capitals (a wire headline): most of its letters upper-case."""
    head = text[:400]
    upper, lower = sum(map(str.isupper, head)), sum(map(str.islower, head))
    return upper + lower >= 8 and upper >= 0.9 * (upper + lower)


def follows_ticker(text: str, end: int) -> bool:
    """True when a ticker mark (" <LUC>") comes right after ``text[:end]``."""
    return bool(TICKER_MARK.match(text, end + 1 if text[end : end + 1] == " " else end))


_PLACE_POSSESSIVE = re.compile(r"([A-Z][\w.]*(?: [A-Z][\w.]*)?)['’]s\s+$")


def company_context(text: str, start: int, end: int) -> bool:
    """True when the words just around ``text[start:end]`` speak of a company acting or owned, or of a
    country's company ("France's Total", "Britain's BP")."""
    before = text[max(0, start - 40) : start]
    if _CUE_AFTER.match(text[end : end + 60]) or _CUE_BEFORE.search(before):
        return True
    place = _PLACE_POSSESSIVE.search(before)
    return bool(place) and is_place(place.group(1))


def person_before(text: str, start: int) -> bool:
    """True when ``text[start:]`` follows a given name, an initial or a title ("Paul E. Lego")."""
    before = text[max(0, start - 30) : start]
    if _PERSON_BEFORE.search(before):
        return True
    words = before.split()
    return bool(words) and before.endswith(" ") and words[-1] in GIVEN_NAMES


def smart_title(words: list[str]) -> str:
    """A name in capitals written as a name: "BROWN GROUP INC" -> "Brown Group Inc"; short words stay ("IBM")."""
    shown = []
    for word in words:
        if word in ("AND", "OF", "DE", "THE", "FOR") and shown:
            shown.append(word.lower())
        elif len(word) <= 3 and word.isalpha() or not any(ch.isalpha() for ch in word) or "&" in word:
            shown.append(word)
        else:
            shown.append(word[:1] + word[1:].lower())
    return " ".join(shown)


def capitalised_after(text: str, end: int) -> bool:
    """True when a capitalised word follows ``text[:end]`` ("Sun Yingsha": the match is part of a longer name)."""
    after = text[end : end + 2]
    return len(after) == 2 and after[0] == " " and after[1].isupper()


_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w&\-]*(?:\.[\w&\-]+)*)"  # "U.S.", "Amazon.com"; not "Visions."
_NAME = rf"(?:{_WORD}|[a-z]+[A-Z]\w*)(?:\s(?:&\s|of\s)?{_WORD}){{0,4}}"  # not "and": "X and Y" is two names
# "Tapwave's chief executive", "analyst at Bridgewell Securities", "shares in Xstrata". Each cue is found by
# its fixed words first, then the name is read next to it: a pattern that starts with the name would be
# tried at every capital letter of every article.
_POSSESSIVE_CUE = re.compile(
    r"['’]s\s+(?:chief executive|chief financial officer|chairman|shares|share price|"
    r"(?:pre-tax |annual |quarterly |net )?profits?|sales|revenues?|founder|boss|board|shareholders|stock|"
    r"bid|offer|takeover|share offer)\b"
)
_CUE_THEN_NAME = re.compile(
    r"\b(?:(?:analysts?|economists?|strategists?|dealers?|traders?|executives?)\s+(?:at|with)"
    r"|shares in|shares of|stake in|chief executive of|founder of|boss of|takeover of|bid for|"
    r"managing director of|chief operating officer of|spokes(?:man|woman|person) for)\s+(?:the\s+)?"
)
_NAME_AT_END = re.compile(rf"(?<![\w&.\-])({_NAME})$")
# After "economist at" a name may hold "and" ("Fact and Opinion Economics"); before "'s" it rarely does.
_NAME_AT_START = re.compile(rf"(?:{_WORD}|[a-z]+[A-Z]\w*)(?:\s(?:&\s|and\s|of\s)?{_WORD}){{0,4}}")


def context_names(text: str) -> list[tuple[int, int, str]]:
    """Capitalised names in a company's context, as (start, end, name)."""
    found = []
    for match in _POSSESSIVE_CUE.finditer(text):
        first = max(0, match.start() - 90)
        name = _NAME_AT_END.search(text, first, match.start())
        if name:
            found.append((name.start(1), name.end(1), name.group(1)))
    for match in _CUE_THEN_NAME.finditer(text):
        name = _NAME_AT_START.match(text, match.end())
        if name:
            found.append((name.start(), name.end(), name.group()))
    return sorted(found)


# "consumer electronics companies such as Nokia, Sagem, Sony and Thomson": every name of the list.
_LIST_CUE = re.compile(
    r"\b(?:companies|firms|groups|makers|carmakers|automakers|banks|lenders|retailers|operators|manufacturers|"
    r"airlines|carriers|insurers|rivals|competitors|brokers|brokerages|chains|publishers|studios|developers|"
    r"suppliers|giants|conglomerates|start-?ups)(?:,)?\s+(?:such as|including|like|among them)\s+"
)
_LIST_ITEM = re.compile(rf"({_NAME})(,\s+|\s+and\s+|\s+&\s+|,\s+and\s+)?")
MAX_LISTED = 8


def listed_names(text: str) -> list[tuple[int, int, str]]:
    """The names listed after a plural company noun ("firms such as A, B and C"), as (start, end, name)."""
    found = []
    for match in _LIST_CUE.finditer(text):
        position = match.end()
        for _ in range(MAX_LISTED):
            item = _LIST_ITEM.match(text, position)
            if not item:
                break
            found.append((item.start(1), item.end(1), item.group(1)))
            if not item.group(2):
                break
            position = item.end()
    return found
