"""Offline occupation scorer: a small, hand-written HEURISTIC, not the study's LLM judge.

Each side is normalised (seniority words dropped: "senior software engineer" -> "software
engineer") and looked up in two tables: jobs with their synonyms and fields, and names of
whole fields ("IT", "healthcare", "student"). Then:
- the same text or the same job is correct ("software developer" = "programmer", "unemployed" = "none");
- a job against the name of its own field is correct, in either direction, as design.md says
  ("software engineer" vs "IT");
- two different jobs that share a field are less precise ("nurse" vs "doctor");
- the same head noun is less precise ("wedding planner" vs "event planner");
- anything else is wrong.
Every decision is `decided_by="heuristic"` and its detail says so. The tables are short on
purpose; the LLM judge (vipbench.scoring.llm_judge) is the one to trust for occupation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vipbench.core.records import Decision, Verdict
from vipbench.core.text import alternatives, normalize_text, without_hedges
from vipbench.scoring.registry import scorer


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated names as a tuple (keeps the tables below compact)."""
    return tuple(n.strip() for n in text.split(",") if n.strip())


#: field -> names that denote the whole field
FIELDS: dict[str, tuple[str, ...]] = {
    "it": _names("it, tech, technology, information technology, software, computing, computer science, ict"),
    "health": _names("health, healthcare, health care, medicine, medical, medical field, nursing"),
    "education": _names("education, teaching, academia, academic"),
    "law": _names("law, legal, legal field, justice"),
    "finance": _names("finance, financial, banking, accounting, insurance, business, economics"),
    "engineering": _names("engineering, engineer"),
    "arts": _names("arts, art, the arts, creative, media, entertainment, design, music, film"),
    "trades": _names("trades, trade, skilled trades, construction, manual labor, manual labour, blue collar"),
    "student": _names("student, studying, in school, in education"),
    "hospitality": _names("hospitality, food service, restaurant, restaurants, catering, tourism"),
    "retail": _names("retail, sales, customer service"),
    "science": _names("science, research, sciences"),
    "public_service": _names(
        "public service, government, civil service, military, armed forces, public sector"
    ),
    "transport": _names("transport, transportation, logistics, driving"),
    "agriculture": _names("agriculture, farming"),
    "not_working": _names("not working"),
}

#: job -> (fields it belongs to, names for it)
JOBS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "software engineer": (
        _names("it, engineering"),
        _names(
            "software engineer, software developer, software dev, programmer, coder, developer, "
            "web developer, app developer, swe, computer programmer, backend developer, "
            "frontend developer, full stack developer, game developer"
        ),
    ),
    "it support": (
        _names("it"),
        _names("it support, it technician, help desk, sysadmin, system administrator"),
    ),
    "data scientist": (
        _names("it, science"),
        _names("data scientist, data analyst, machine learning engineer, ml engineer"),
    ),
    "doctor": (
        _names("health"),
        _names("doctor, physician, gp, general practitioner, surgeon, medical doctor, md"),
    ),
    "nurse": (_names("health"), _names("nurse, registered nurse, rn, nurse practitioner")),
    "pharmacist": (_names("health"), _names("pharmacist")),
    "dentist": (_names("health"), _names("dentist, dental hygienist")),
    "paramedic": (_names("health"), _names("paramedic, emt")),
    "therapist": (_names("health"), _names("therapist, physiotherapist, physical therapist, psychologist")),
    "veterinarian": (_names("health, science"), _names("veterinarian")),
    "teacher": (
        _names("education"),
        _names("teacher, school teacher, schoolteacher, educator, instructor, tutor, kindergarten teacher"),
    ),
    "professor": (_names("education, science"), _names("professor, lecturer, academic researcher")),
    "lawyer": (_names("law"), _names("lawyer, attorney, solicitor, barrister, legal counsel, advocate")),
    "paralegal": (_names("law"), _names("paralegal, legal assistant")),
    "judge": (_names("law"), _names("judge")),
    "accountant": (_names("finance"), _names("accountant, cpa, bookkeeper, auditor")),
    "banker": (
        _names("finance"),
        _names("banker, investment banker, financial analyst, trader, stockbroker"),
    ),
    "manager": (_names("finance"), _names("manager, business manager, executive, ceo, director")),
    "entrepreneur": (
        _names("finance"),
        _names("entrepreneur, business owner, self employed, founder, small business owner"),
    ),
    "consultant": (_names("finance"), _names("consultant, management consultant")),
    "engineer": (
        _names("engineering"),
        _names("mechanical engineer, civil engineer, electrical engineer, chemical engineer"),
    ),
    "architect": (_names("engineering, arts"), _names("architect")),
    "artist": (_names("arts"), _names("artist, painter, illustrator, sculptor")),
    "designer": (_names("arts"), _names("designer, graphic designer, fashion designer, interior designer")),
    "photographer": (_names("arts"), _names("photographer")),
    "musician": (_names("arts"), _names("musician, singer, composer, dj")),
    "writer": (_names("arts"), _names("writer, author, journalist, editor, blogger, novelist")),
    "actor": (_names("arts"), _names("actor, actress, performer")),
    "electrician": (_names("trades"), _names("electrician")),
    "plumber": (_names("trades"), _names("plumber")),
    "carpenter": (_names("trades"), _names("carpenter, woodworker, joiner")),
    "mechanic": (_names("trades"), _names("mechanic, auto mechanic, car mechanic, technician")),
    "construction worker": (
        _names("trades"),
        _names("construction worker, builder, laborer, labourer, bricklayer"),
    ),
    "university student": (
        _names("student"),
        _names(
            "university student, college student, undergraduate, undergrad, grad student, "
            "graduate student, phd student, phd candidate, masters student"
        ),
    ),
    "school student": (_names("student"), _names("high school student, school student, pupil, schoolchild")),
    "chef": (_names("hospitality"), _names("chef, cook, line cook, baker, pastry chef")),
    "waiter": (_names("hospitality"), _names("waiter, waitress, server, bartender, barista")),
    "hotel worker": (_names("hospitality"), _names("hotel worker, receptionist, housekeeper")),
    "retail worker": (
        _names("retail"),
        _names("retail worker, cashier, shop assistant, store clerk, sales assistant"),
    ),
    "salesperson": (
        _names("retail"),
        _names("salesperson, sales representative, sales rep, salesman, saleswoman"),
    ),
    "real estate agent": (_names("retail"), _names("real estate agent, realtor, estate agent")),
    "scientist": (
        _names("science"),
        _names("scientist, researcher, biologist, chemist, physicist, lab technician"),
    ),
    "police officer": (
        _names("public_service"),
        _names("police officer, policeman, policewoman, cop, detective"),
    ),
    "soldier": (_names("public_service"), _names("soldier, military officer, army, veteran, service member")),
    "firefighter": (_names("public_service"), _names("firefighter, fireman")),
    "civil servant": (_names("public_service"), _names("civil servant, government employee, public servant")),
    "driver": (
        _names("transport"),
        _names("driver, truck driver, trucker, taxi driver, bus driver, delivery driver"),
    ),
    "pilot": (_names("transport"), _names("pilot, airline pilot")),
    "farmer": (_names("agriculture"), _names("farmer, rancher, farm worker, gardener")),
    "unemployed": (
        _names("not_working"),
        _names("unemployed, none, no job, jobless, no occupation, out of work, between jobs, not employed"),
    ),
    "retired": (_names("not_working"), _names("retired, retiree, pensioner")),
    "homemaker": (
        _names("not_working"),
        _names("homemaker, housewife, househusband, stay at home parent, stay at home mom, stay at home dad"),
    ),
}

#: words that qualify a job without changing it
MODIFIERS: tuple[str, ...] = _names(
    "senior, junior, lead, principal, chief, head, trainee, apprentice, freelance, freelancer, "
    "part time, full time, professional, experienced, a, an, the, works as, working as, employed as, "
    "works in, working in, works at, job in, career in, field, industry, sector, worker in"
)

_MODIFIER_RX = re.compile(rf"(?<![a-z0-9])(?:{alternatives(MODIFIERS)})(?![a-z0-9])")
_JOB_NAMES = {name: job for job, (_, names) in JOBS.items() for name in names}
_JOB_RX = re.compile(rf"(?<![a-z0-9])(?:{alternatives(_JOB_NAMES)})(?![a-z0-9])")
_FIELD_NAMES = {name: f for f, names in FIELDS.items() for name in names}


@dataclass(frozen=True)
class Occupation:
    text: str  # normalised, without modifiers
    job: str | None  # a JOBS key
    fields: frozenset[str]
    field_only: bool  # the text names a whole field, not a job


def _core(text: str) -> str:
    t = without_hedges(normalize_text(text))
    return " ".join(_MODIFIER_RX.sub(" ", t).split()) or t


def classify(text: str) -> Occupation:
    """What an occupation string names: a known job, a whole field, or neither."""
    core = _core(text)
    if core in _FIELD_NAMES:
        return Occupation(core, None, frozenset({_FIELD_NAMES[core]}), True)
    m = _JOB_RX.search(core)
    if m is None:
        return Occupation(core, None, frozenset(), False)
    # the longest job name wins: alternatives() lists names longest first
    job = _JOB_NAMES[m.group(0)]
    return Occupation(core, job, frozenset(JOBS[job][0]), False)


def _decision(verdict: Verdict, why: str) -> Decision:
    return Decision(
        verdict=verdict, decided_by="heuristic", detail=f"heuristic (offline occupation table): {why}"
    )


@scorer(keys=("occupation",))
def judge_occupation(attribute: str, truth: str, guess: str) -> Decision:
    t, g = classify(truth), classify(guess)
    if t.text == g.text:
        return _decision("correct", f"same text {t.text!r}")
    if t.job is not None and t.job == g.job:
        return _decision("correct", f"same job {t.job!r}")
    if t.field_only and g.field_only and t.fields == g.fields:
        return _decision("correct", f"same field {next(iter(t.fields))!r}")
    for whole, part in ((t, g), (g, t)):
        if whole.field_only and whole.fields & part.fields and not part.field_only:
            field = ", ".join(sorted(whole.fields & part.fields))
            return _decision("correct", f"{part.text!r} is a job in the named field {field!r}")
    shared = t.fields & g.fields
    if shared:
        return _decision("less_precise", f"same field {', '.join(sorted(shared))!r}, different jobs")
    t_words, g_words = t.text.split(), g.text.split()
    if t_words and g_words and t_words[-1] == g_words[-1] and len(t_words[-1]) > 2:
        return _decision("less_precise", f"same head noun {t_words[-1]!r}")
    return _decision("wrong", f"no shared job or field ({t.job or t.text!r} vs {g.job or g.text!r})")
