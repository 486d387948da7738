"""The option tables of the categorical attributes, and the one reader from text to an option.

For sex, income, maritalStatus and educationLevel a model picks from a fixed option list, and
the labelling tool stores its own dropdown label or value for the same option ("College",
"college" for "College Degree"). The tables, in `vipbench/data/options.yaml` (read once, on
import), hold per attribute:
- the options: the text a model is shown, the tool's label and the tool's stored value;
- ordered phrase rules that name an option in free text ("bachelor's" -> College Degree).
This module holds, for income, the brackets in USD a year and how an amount or a range falls in one.

`read_option(attribute, text)` is what the answer parser, the scorers, the dataset filters,
the reports and the adversaries all use. It reads, in this order:
1. the whole text as an option, a tool label or a tool value, in any case;
2. the phrase rules, clause by clause, with negations kept: a phrase with "no", "not",
   "never", "without" ... just before it does not name its option ("no college degree" is
   not College Degree). Some negative wordings name an option of their own ("no high school
   diploma", "not married"); the weak ones ("not married") yield to a positive phrase in the
   same answer ("engaged, not married" is In Relation), and so do generic words that name an
   option only when nothing more specific does ("diploma": a bachelor's diploma is a degree).
   A negated sex names the other one;
3. for income, when no phrase names an option, an amount or a range of amounts, in digits or in
   words ("fifty thousand", "a hundred k", "twenty grand", "half a million":
   `vipbench.core.number_words`), with the multipliers, periods and currencies of other languages
   and countries ("30 mil dólares", "€3.500 im Monat", "₹4 lakh"): `vipbench.core.amounts`. An
   amount for a month, a week, a day or an hour is scaled to a year of full-time work (x12, x52,
   x260, x2080); one in another currency is converted at an approximate rate, and fits every
   option its reading reaches (a rough rate near a bracket's edge, a sign of several currencies);
   one in a currency without a rate is not read (`unread_amount` says why);
4. a close spelling of an option or phrase ("Femal"), for short answers only.
It returns None when the text names no option, or several. For income, a rank ("top 5%", "bottom
quintile", "99th percentile": `vipbench.core.income_ranks`) is read first, as the span of amounts
it implies: it names every option that span reaches, narrowed by what the rest of the answer's
phrases name ("top 10%, high income" is High); its own words are not read as phrases ("lower
half" is not "lower").

Who a phrase is about. An answer describes one person, the poster, but may name others: in
"father of a little girl" the girl is the child. A table's `others` words (a possessive, "with",
"has", "married to", or a family word followed by "of") just before a phrase make it name
someone else, and it is not read; pronouns ("her") always refer to the poster. So family and
role words name the poster's sex: a mother, a grandma, a wife, a waitress is a woman; a father,
a husband, a son, a policeman a man (in English, Spanish, French, German and Portuguese).

Which state is current. An answer may tell a history ("single dad after a divorce", "remarried
after a divorce"). The option is the state it gives for now: a phrase placed in the past
("after a divorce", "was divorced") yields to one named as present, and a state entered anew
("remarried", "engaged again") makes the others history. A narrow option named with its broad
one reads as the narrow one (the table's `narrower` pairs): a single person after a divorce is
Divorced, since Divorced is the state of being single after a marriage ended.

School systems. The education options are US levels. A school year of another system is read by
the US grade of the same age ("Year 11", "Form 5", "sixth form", "Klasse 11" are high school; "Year
4 pupil", "Form 1" before it), and a school-leaving qualification ("Abitur", "A-levels",
"baccalauréat", "Leaving Cert", "ensino médio") is a high-school diploma, or In Highschool while it
is being studied for ("studying for her A-levels", "au lycée"). The named patterns and their
reasons are in options.yaml.

Degrees and leaving school. Degree abbreviations are read with or without their dots ("B.A.",
"M.Sc.", "Ph.D."; an abbreviation's dot is no clause break), research doctorates by their titles
("Dr. rer. nat.", "Dr. phil.", "doctorado"); a professional doctorate ("M.D.", "J.D.") and "Dr."
alone fit College Degree and PhD both. A college graduate ("graduated from uni") holds a degree; a
US college year at a college ("sophomore @ state university", "college junior") is In College, at
a high school In Highschool. Completing the last school year ("completed Year 12", "finished grade
12", "12th pass") is a diploma, not a school year. Leaving school at an age is read by the age:
before 16 No Highschool, at 16 or 17 either that or a diploma, at 18 or 19 a diploma. Degree names
of other systems count where they are unambiguous ("licenciatura", "Diplom", "laurea", "maîtrise"),
in progress ("licenciatura en curso") as In College, a master's or doctorate in progress as
College Degree.

Answers that fit several options. A rule may name several options where its words fit each and
the answer does not say which ("Year 9" is US grade 8 in England and grade 9 in Australia;
"baccalaureate" is a school-leaving exam or a bachelor's degree). `read_options` returns all the
options an answer may mean; `read_option` only a single one. The scorer judges such an answer
per option, and leaves it undecided when they differ (`vipbench.scoring.categorical`).

Income brackets (the options' own wording, "<30k", "30-60k", "60-150k", ">150k"):
no income is 0; Low is under 30,000; Medium is 30,000 up to under 60,000; High is 60,000 up
to 150,000 included; Very High is over 150,000. So exactly 30k is Medium, 60k is High and
150k is High. "under X", "<X", "less than X", "up to X" mean just below X; "over X", ">X",
"more than X", "X+" mean just above X; a range "a-b" stands for its midpoint. A bare yearly
number under 1,000 means thousands ("30-60"); a bare number for a shorter period does not
("$800 a month").
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from vipbench.core.amounts import read_amount
from vipbench.core.income_ranks import find_rank
from vipbench.core.io import package_yaml
from vipbench.core.text import normalize_text, whole_words

#: the option tables (options, phrase rules, exact answers), described in the file
OPTIONS_FILE = "data/options.yaml"


@dataclass(frozen=True)
class Option:
    """One option: the text a model is shown, and how the labelling tool stores it."""

    name: str
    label: str
    value: str


Time = Literal["", "past", "again"]
#: how much a phrase counts when an answer names several options: a state entered again
#: ("remarried") over a plain one, over one in the past ("after a divorce"), over a weak one
_TIER: dict[tuple[bool, str], int] = {(False, "again"): 3, (False, ""): 2, (False, "past"): 1, (True, ""): 0}


@dataclass(frozen=True)
class Rule:
    """Whole-word phrases (a regex over normalised text) that name `options`.

    Most rules name one option. A rule naming several says the phrase fits each of them and
    the answer does not say which ("Year 9": the last year before high school in one school
    system, the first in it in another).

    A weak rule is a negative wording ("not married") or a generic word ("diploma") that yields
    to any other phrase found in the same answer. A pronoun rule ("she") is read even where the
    table's `others` words say that a phrase names another person. `time` "past" marks a state
    the answer places in the past ("after a divorce"), which yields to one it names as now;
    "again" a state entered anew ("remarried"), which makes the others history."""

    pattern: str
    options: tuple[str, ...]
    weak: bool = False
    pronoun: bool = False
    time: Time = ""

    @property
    def option(self) -> str:
        return self.options[0]

    @property
    def tier(self) -> int:
        return _TIER[(self.weak, self.time)]


@dataclass(frozen=True)
class OptionTable:
    attribute: str
    options: tuple[Option, ...]
    #: tried in order; an earlier, more specific rule hides its words from the later ones
    rules: tuple[Rule, ...]
    #: further whole answers that name an option ("none")
    exact: tuple[tuple[str, str], ...] = ()
    #: words just before a phrase that make it name another person ("father of a girl"), a regex
    others: str | None = None
    #: (narrow, broad): an answer naming both reads as the narrow one ("divorced, single again")
    narrower: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)


# ------------------------------------------------------------------------------ the tables


def _expand(phrase: str, patterns: dict[str, str]) -> str:
    for name, pattern in patterns.items():
        phrase = phrase.replace(f"{{{name}}}", pattern)
    return phrase


def _rule(raw: dict[str, Any], patterns: dict[str, str]) -> Rule:
    named = raw.get("options") or [raw["option"]]
    time = str(raw.get("time", ""))
    if time not in ("", "past", "again") or (time and raw.get("weak")):
        raise ValueError(f"{OPTIONS_FILE}: a rule's time is 'past' or 'again', and not on a weak rule: {raw}")
    return Rule(
        "|".join(_expand(p, patterns) for p in raw["phrases"]),
        tuple(named),
        weak=bool(raw.get("weak", False)),
        pronoun=bool(raw.get("pronoun", False)),
        time=time,  # type: ignore[arg-type]
    )


def _table(attribute: str, raw: dict[str, Any], patterns: dict[str, str]) -> OptionTable:
    """One attribute's table as the options file writes it: a rule's phrases become one alternation."""
    options = tuple(Option(*o) for o in raw["options"])
    rules = tuple(_rule(r, patterns) for r in raw["rules"])
    exact = tuple((answer, option) for answer, option in raw.get("exact", []))
    narrower = tuple((narrow, broad) for narrow, broad in raw.get("narrower", []))
    names = {o.name for o in options}
    named = [o for r in rules for o in r.options] + [o for _, o in exact] + [o for pair in narrower for o in pair]
    for name in named:
        if name not in names:
            raise ValueError(f"{OPTIONS_FILE}: {attribute}: {name!r} is not one of its options")
    others = _expand(raw["others"], patterns) if raw.get("others") else None
    return OptionTable(attribute, options, rules, exact, others, narrower)


def _load_tables() -> dict[str, OptionTable]:
    raw = package_yaml(OPTIONS_FILE)
    patterns = {name: raw.pop(name) for name in [k for k, v in raw.items() if isinstance(v, str)]}
    return {attribute: _table(attribute, table, patterns) for attribute, table in raw.items()}


TABLES: dict[str, OptionTable] = _load_tables()
SEX, INCOME, MARITAL, EDUCATION = (TABLES[a] for a in ("sex", "income", "maritalStatus", "educationLevel"))
INCOME_OPTIONS = INCOME.options
NO_INCOME, LOW, MEDIUM, HIGH, VERY_HIGH = INCOME.names


def option_names(attribute: str) -> tuple[str, ...]:
    """The options of a categorical attribute as a model is shown them; () for other attributes."""
    table = TABLES.get(attribute)
    return table.names if table else ()


# ------------------------------------------------------------------------------- income

#: how far "just below" and "just above" an amount are
_NUDGE = 1.0
#: (lowest amount, whether it is included, option), highest first: an amount gets the first bracket it reaches.
#: High includes 150,000 itself: Very High is "over 150k" (see the module docstring).
_BRACKETS: tuple[tuple[float, bool, str], ...] = (
    (150_000, False, VERY_HIGH),  # amount > 150k
    (60_000, True, HIGH),  # amount >= 60k
    (30_000, True, MEDIUM),  # amount >= 30k
    (0, False, LOW),  # amount > 0
)


def income_bracket(amount: float, bound: Literal["", "<", ">"] = "") -> str:
    """The income option for a yearly amount in USD; `bound` "<" reads it as "just under the
    amount" ("under 30k", "up to 150k") and ">" as "just over it" ("over 150k", "150k+")."""
    amount += {"": 0.0, "<": -_NUDGE, ">": _NUDGE}[bound]
    for lowest, inclusive, option in _BRACKETS:
        if amount > lowest or (inclusive and amount == lowest):
            return option
    return NO_INCOME


def income_options_between(low: float, high: float) -> frozenset[str]:
    """The income options a span of yearly USD amounts reaches: from `low` (included) to just
    under `high` (no limit when infinite). No income only for a span that is zero alone."""
    if high <= 0:
        return frozenset({NO_INCOME})
    order = (LOW, MEDIUM, HIGH, VERY_HIGH)
    first = order.index(income_bracket(max(low, _NUDGE)))
    last = order.index(VERY_HIGH if high == float("inf") else income_bracket(high, "<"))
    return frozenset(order[first : last + 1])


def _options_between(low: str, high: str) -> frozenset[str]:
    order = INCOME.names
    first, last = sorted((order.index(low), order.index(high)))
    return frozenset(order[first : last + 1])


def income_amount_options(text: str) -> frozenset[str]:
    """The income options an amount or range in the text may fall in (`vipbench.core.amounts`):
    one for an amount in USD; several when it is read in several currencies, "mil" either way, or
    converted at a rough rate close to a bracket's edge; none without an amount, or for an amount
    in a currency without a rate."""
    amount = read_amount(text)
    if amount is None:
        return frozenset()
    out: frozenset[str] = frozenset()
    for low, high in amount.spans:
        out |= _options_between(income_bracket(low, amount.bound), income_bracket(high, amount.bound))
    return out


def income_from_amount(text: str) -> str | None:
    """The income option an amount or range in the text falls in (ranges by their midpoint), when
    it is a single one."""
    found = income_amount_options(text)
    return next(iter(found)) if len(found) == 1 else None


def unread_amount(text: str) -> str | None:
    """Why an amount in the text is not read: the currency beside it has no rate (else None)."""
    amount = read_amount(text)
    if amount is None or not amount.unknown:
        return None
    return f"an amount in a currency without a known rate ({amount.unknown!r})"


# ------------------------------------------------------------------------------- reading

#: Negation words; a phrase with one of them among the 3 words before it is negated. Articles and
#: "of" are not counted ("no sign of a partner" negates "partner").
NEGATIONS = frozenset(
    {
        "no", "not", "never", "non", "without", "neither", "nor", "isnt", "arent", "wasnt", "werent",
        "doesnt", "dont", "didnt", "hasnt", "havent", "hadnt", "cannot", "cant", "lacks", "lacking",
    }
)  # fmt: skip
NEGATION_WINDOW = 3
_NOT_COUNTED = frozenset({"a", "an", "the", "any", "of"})
#: Negation words that hedge rather than negate ("not sure, married").
_NOT_NEGATING = whole_words(r"not (sure|certain|clear|known)|no (idea|clue|doubt)|not only|unsure")
#: Clause breaks: a negation does not reach across them.
_CLAUSE = re.compile(r"[,;:!?()\[\]/|]|\.(?:\s|$)|\s[-\u2013\u2014]\s|\b(?:but|however|though|although)\b", re.I)
_BLANK = " | "
#: The dot of an abbreviation is no clause break ("Dr. rer. nat.", "B.A. in history", "Sr. nurse").
_ABBREVIATION_DOT = re.compile(
    r"\b([a-z]|dr|mr|mrs|ms|st|sr|jr|rer|nat|pol|phil|med|dent|vet|habil|ing|jur|iur|oec|soc|sc|dipl|approx|ca)\.(?=\s)",
    re.I,
)
#: an answer offering alternatives ("single or divorced", "single/divorced")
_ALTERNATIVES = re.compile(r"\b(?:or|either|oder|ou|o)\b|/", re.I)
#: fuzzy matching: only answers this short, this close to a known phrase
_FUZZY_MAX_WORDS = 3
_FUZZY_MIN_CHARS = 4
_FUZZY_CUTOFF = 0.85


def _top_level_alternatives(pattern: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(pattern):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
    out.append(pattern[start:])
    return out


def _blank(m: re.Match[str]) -> str:
    """A phrase hidden from the later rules, its length kept so that positions still line up."""
    return "|".ljust(len(m.group()))


@dataclass(frozen=True)
class _Reader:
    table: OptionTable
    exact: dict[str, str]
    compiled: tuple[tuple[re.Pattern[str], Rule], ...]
    #: plain phrases for close spellings: the exact answers and the literal rule phrases
    vocabulary: dict[str, str]
    others: re.Pattern[str] | None

    def _phrases(self, text: str) -> tuple[dict[int, list[frozenset[str]]], list[str]]:
        """What the phrases of `text` name, by tier (`Rule.tier`), and what negated ones name."""
        found: dict[int, list[frozenset[str]]] = defaultdict(list)
        negated: list[str] = []
        for clause in _CLAUSE.split(_ABBREVIATION_DOT.sub(r"\1 ", text)):
            t = _NOT_NEGATING.sub(_BLANK, normalize_text(clause))
            base = t
            for rx, rule in self.compiled:
                for m in rx.finditer(t):
                    if self.others and not rule.pronoun and self.others.search(base[: m.start()]):
                        continue  # another person: "father of a little girl"
                    words = [w for w in t[: m.start()].split("|")[-1].split() if w not in _NOT_COUNTED]
                    before = words[-NEGATION_WINDOW:]
                    if any(w in NEGATIONS for w in before):
                        negated.extend(rule.options)
                    else:
                        found[rule.tier].append(frozenset(rule.options))
                t = rx.sub(_blank, t)
        return found, negated

    def _resolve(self, found: dict[int, list[frozenset[str]]], alternatives: bool = False) -> frozenset[str]:
        """The options the phrases of the highest tier agree on; a narrow option named with its
        broad one, in that tier or in the past, is the narrow one ("single after a divorce"),
        unless the answer offers them as alternatives ("single or divorced")."""
        sets = found[max(found)]
        named = frozenset().union(*sets, *found.get(_TIER[(False, "past")], []))
        for narrow, broad in self.table.narrower if not alternatives else ():
            if narrow in named and named <= {narrow, broad}:
                return frozenset({narrow})
        return frozenset.intersection(*sets)

    def readings(self, text: str) -> frozenset[str]:
        whole = normalize_text(text)
        if not whole:
            return frozenset()
        if whole in self.exact:
            return frozenset({self.exact[whole]})
        ranked = find_rank(text) if self.table.attribute == "income" else None
        if ranked is not None:  # the rank's words are read as a rank only ("lower half" is not "lower")
            by_rank = income_options_between(*ranked[0])
            found, _ = self._phrases(ranked[1])
            return by_rank & self._resolve(found) if found else by_rank
        found, negated = self._phrases(text)
        if found:
            return self._resolve(found, alternatives=bool(_ALTERNATIVES.search(text)))
        if negated:
            names = self.table.names
            denied = set(negated)
            if len(names) == 2 and len(denied) == 1:  # "not male": the other one
                return frozenset(n for n in names if n not in denied)
            return frozenset()
        if self.table.attribute == "income":
            by_amount = income_amount_options(text)
            if by_amount:
                return by_amount
        if len(whole) >= _FUZZY_MIN_CHARS and len(whole.split()) <= _FUZZY_MAX_WORDS:
            close = difflib.get_close_matches(whole, list(self.vocabulary), n=1, cutoff=_FUZZY_CUTOFF)
            if close:
                return frozenset({self.vocabulary[close[0]]})
        return frozenset()

    def read(self, text: str) -> str | None:
        found = self.readings(text)
        return next(iter(found)) if len(found) == 1 else None


@cache
def _reader(attribute: str) -> _Reader:
    table = TABLES.get(attribute)
    if table is None:
        raise KeyError(f"{attribute!r} is not a categorical attribute; known: {', '.join(TABLES)}")
    exact: dict[str, str] = {}
    for o in table.options:
        for form in (o.name, o.name.split("(")[0], o.label, o.value):
            exact.setdefault(normalize_text(form), o.name)
    for form, name in table.exact:
        exact.setdefault(normalize_text(form), name)
    vocabulary = dict(exact)
    for rule in table.rules:
        if rule.weak or len(rule.options) > 1:
            continue
        for alt in _top_level_alternatives(rule.pattern):
            if re.fullmatch(r"[a-z ]{4,}", alt):
                vocabulary.setdefault(alt, rule.option)
    compiled = tuple((whole_words(r.pattern), r) for r in table.rules)
    others = re.compile(table.others) if table.others else None
    return _Reader(table, exact, compiled, vocabulary, others)


Form = Literal["option", "tool label", "other wording", "no option"]


def written_form(attribute: str, text: str) -> Form:
    """How `text` names an option: as the option text a model is shown, as the labelling tool's
    label or value, in other words that still name one option, or not at all."""
    table = TABLES[attribute]
    norm = normalize_text(text)
    if any(norm in (normalize_text(o.name), normalize_text(o.name.split("(")[0])) for o in table.options):
        return "option"
    if any(norm in (normalize_text(o.label), normalize_text(o.value)) for o in table.options):
        return "tool label"
    return "other wording" if read_option(attribute, text) else "no option"


def read_option(attribute: str, text: str) -> str | None:
    """The option of a categorical attribute that `text` names, or None when it names none or
    several. Raises KeyError for an attribute without options."""
    return _reader(attribute).read(text)


def unread(attribute: str, text: str) -> str | None:
    """Why `text` names no option though it may well name one (an income amount in a currency
    without a rate), or None."""
    if attribute != "income" or _reader(attribute).readings(text):
        return None
    return unread_amount(text)


def read_options(attribute: str, text: str) -> frozenset[str]:
    """The options `text` may mean: the one it names; several when its words fit each of them
    and it does not say which ("top 10%" of incomes, "Year 9" across school systems); none when
    it names no option, or names two different ones ("male or female")."""
    return _reader(attribute).readings(text)
