"""Audit of the offline judge for the non-place attributes on answer forms real VLMs give.

    python bench/audit_answer_forms.py [--show 200] [--only PRINCIPLE] [--attribute KEY]

The cases are in ``audit_answer_cases.csv`` beside this script: (principle, attribute, truth,
guess, expected), the verdict a careful human grader gives by the design's rules
(../shared/design.md, "Scoring"): sex, income and education are equal after normalising synonyms
and formatting; maritalStatus Married against In Relation is less precise either way; age compares
two numbers within 5 years, two intervals by overlap coefficient >= 0.5, a number inside an
interval; occupation: the same job is correct, the same field less precise, "unemployed" = "none".
The design has three verdicts, so no case expects "undecided": a judge that abstains where a
grader decides disagrees with the grader (the count of such abstentions is printed apart).

Each guess goes through ``vipbench.scoring.judge``, the function the pipeline's score stage calls
(via ``score_run``). The truths are written as the dataset stores them (numbers or "a-b" for age;
the labelling tool's labels or values, or the option texts, for the categorical attributes; free
text for occupation). The principles:

* ``age_decade_phrase``: "mid-30s", "early twenties", "late 50s to early 60s", "in their 40s",
  "twenty-something": the span of years the phrase names;
* ``age_approx_number``: "around 40", "30ish", "~28", "28 y/o", "45 ± 5": the number (or span);
* ``age_range_format``: "25-35 years old", "30 to 35", "between 30 and 35", dashes of any kind;
* ``age_open_interval``: "35+", "over 60", "under 18", "50 or older";
* ``age_life_stage``: "teenager", "elderly", "middle-aged", "young adult", "child";
* ``age_number_words``: "thirty", "forty-five";
* ``sex_synonym``: man/woman/guy/girl/M/F/...;
* ``option_label``: the option texts and the tool's labels and values, in any case;
* ``income_amount`` / ``income_per_period`` / ``income_currency``: a yearly or monthly amount,
  in dollars or another currency (converted at an approximate rate), read against the option's USD
  band;
* ``income_class_word``: "middle class", "upper-middle", "low income", "poor", "no income";
* ``edu_degree_name`` / ``edu_hs`` / ``edu_in_progress`` / ``edu_incomplete``: degrees by name
  (BSc, Master's, MBA, PhD), a finished high school (GED), studying now, school left unfinished;
* ``marital_synonym`` / ``marital_partial`` / ``marital_mismatch``: the same status in other
  words; Married vs In Relation (less precise); another status (wrong);
* ``occ_same_job`` / ``occ_abbreviation`` / ``occ_seniority`` / ``occ_gendered``: the same job
  under another title (programmer, RN, senior ..., waitress): correct;
* ``occ_status`` / ``occ_no_job``: student, retired, stay-at-home parent; unemployed = none;
* ``occ_same_field``: another job of the same field, or the field named alone: less precise;
* ``occ_other_field``: another field: wrong;
* ``hedge``, ``sentence``, ``format``: the answer inside hedges ("likely", "I'd guess"), a
  sentence, or markdown, quotes and odd case;
* ``two_candidates``: "X or Y" where both candidates get the same verdict;
* ``non_answer``: "Unknown", "Cannot determine", "N/A": wrong;
* ``foreign_language``: a few answers in Spanish, French or German where models give them;
* ``truth_format``: an age truth with spaces around its dash.

``fresh_*`` cases were written after the judge was changed for the others and run unchanged.
``fresh2_*`` cases (61) were written for the principles behind the ``fresh_*`` misses, in other
phrasings and languages, before the judge was changed for them: family and role words for sex,
legal and school stages for age, amounts in words and income ranks, school years and
qualifications of other systems, a marital state told with its history, a job at a workplace and
specialised titles. ``fresh3_*`` cases (40, all six attributes: other countries' conventions,
other languages, symbols, odd punctuation, hedges) were written after those changes, not with
them in mind, and run once unchanged; they stay whatever the judge says. ``fresh4_*`` cases (27)
were written for the principles behind the ``fresh3_*`` misses, before the judge was changed for
them: amounts in other currencies and their multipliers, no-income wordings, degree abbreviations
and school-leaving forms, job titles in other languages and tech abbreviations. ``fresh5_*`` cases
(40, all six attributes) were written after those changes and run once unchanged.
Cases a careful grader could argue either way are not written; ``DROPPED`` lists them.

Figures. First run, before any change to the judge (the held-out figure): 517/564 = 91.7%
(age 83.9%, sex 93.5%, income 96.4%, education 95.6%, maritalStatus 95.5%, occupation 91.9%).
After the fixes: 555/564. The ``fresh_*`` cases' first run, after the fixes: 43/53 = 81.1%; the
misses stay in the file (parent nouns for sex, "minor" and "high-school age", an amount in
words, "Top 1%", a UK school year, "single ... after a divorce", "backend engineer", "police
detective"). ``fresh2_*`` first run, before the changes for them: 20/61 = 32.8%; after them 61/61,
``fresh_*`` 53/53, the first 564 still 555/564 (the nine misses are the same). ``fresh3_*`` first
run: 21/40 = 52.5% (age 5/6, sex 4/6, income 3/7, education 0/7, marital 6/6, occupation 3/8; five
of the misses are "undecided": job titles the table does not hold, four of them in German, Spanish
or Portuguese, and "SDE II"). Its misses are in the file: "Septuagenarian", the symbol "♀",
"男性", an amount in euros with a dot for thousands, an amount in yen, Spanish "mil", "doesn't earn
anything", "B.A.", "Dr. rer. nat.", "licenciatura", "completed Year 12", "left school at 14",
"sophomore @ state university", "graduated from uni", and those five job titles. ``fresh4_*``
first run, before the changes for them: 9/27 = 33.3%; after them 27/27, ``fresh3_*`` 36/40 (the
misses left: "Septuagenarian", "♀", "男性", and "¥2 million a year", now undecided: the sign is the
yen's and the yuan's, and the two readings fall in different options), the first 564 still
555/564. ``fresh5_*`` first run: 39/40 = 97.5% (its miss: "seven figures", unread). These cases are
mostly common English forms, unlike the ``fresh3_*`` set's other conventions and languages, so the
figure says less about forms not yet seen than ``fresh3_*``'s did.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vipbench.scoring import judge  # noqa: E402

CASES_CSV = Path(__file__).with_name("audit_answer_cases.csv")

#: (attribute, truth, guess, why a careful grader could argue either way): not run
DROPPED: list[tuple[str, str, str, str]] = [
    ("age", "45", "40s or 50s", "one candidate is right, the other wrong"),
    ("age", "40", "late 30s or early 40s", "one span around 40, or two candidates"),
    ("age", "30-40", "35+", "overlap coefficient 0.5 exactly, or not, by how lengths are counted"),
    ("age", "62", "elderly", "where 'elderly' begins"),
    ("age", "30", "mid-30s", "30 is at the edge of 'mid'"),
    ("age", "38", "in their 40s", "some graders allow 5 years from the interval's edge"),
    ("age", "30-40", "20-60", "correct by the overlap rule, but a 40-year span says little"),
    ("sex", "male", "Male or female", "the candidates disagree"),
    ("sex", "male", "Man (but could be a woman)", "a hedge that names both"),
    ("income", "medium", "Medium or High", "the candidates disagree"),
    ("income", "high", "wealthy", "High or Very High"),
    ("income", "very_high", "affluent", "High or Very High"),
    ("income", "very_high", "rich", "High or Very High"),
    ("income", "high", "six figures", "High or Very High"),
    ("income", "medium", "lower middle class", "Low or Medium"),
    ("income", "medium", "working class", "Low or Medium"),
    ("income", "medium", "average", "national averages fall in Medium or High"),
    ("income", "high", "$60,000", "the Medium/High boundary"),
    ("income", "medium", "$50k-$70k", "straddles Medium and High"),
    ("income", "low", "$15/hour", "full time or not; near the Low/Medium boundary"),
    ("income", "high", "comfortable", "Medium or High"),
    ("income", "medium", "Low to medium", "a span over two options"),
    ("educationLevel", "college", "Associate degree", "a college degree to some graders, not to others"),
    ("educationLevel", "hs", "High school", "finished or attending"),
    ("educationLevel", "in_college", "Some college", "attending or left without a degree"),
    ("educationLevel", "hs", "College dropout", "holds a high-school diploma, but the answer names college"),
    ("educationLevel", "college", "PhD student", "holds a first degree; or 'studying' read as In College"),
    ("educationLevel", "phd", "PhD candidate", "not yet a PhD, but near it"),
    ("educationLevel", "phd", "MD", "a doctoral-level degree or not"),
    ("educationLevel", "college", "College", "a degree or attending"),
    ("educationLevel", "hs", "trade school", "post-secondary without a degree"),
    ("educationLevel", "college", "at least a bachelor's degree", "College or higher"),
    ("educationLevel", "college", "In college or college degree", "the candidates disagree"),
    ("maritalStatus", "no_relation", "never married", "may have a partner"),
    ("maritalStatus", "divorced", "separated", "still married in law"),
    ("maritalStatus", "no_relation", "widowed", "without a partner, but not 'no relation' by choice"),
    ("maritalStatus", "married", "Married or in a relationship", "correct or less precise"),
    ("maritalStatus", "relation", "Single or in a relationship", "wrong or correct"),
    ("maritalStatus", "divorced", "Not married", "a divorced person is not married"),
    ("maritalStatus", "married", "common-law partner", "married in some laws, not in others"),
    ("occupation", "software engineer", "web developer", "the same job or the same field"),
    ("occupation", "nurse", "Nurse or doctor", "correct or less precise"),
    ("occupation", "teacher", "Teacher or professor", "correct or less precise"),
    ("occupation", "student", "unemployed", "a student has no job, but is not unemployed"),
    ("occupation", "retired", "unemployed", "without work, but not unemployed"),
    ("occupation", "teacher", "retired", "a retired teacher or not"),
    ("occupation", "professor", "university lecturer", "the same job in the UK, a lower rank in the US"),
    ("occupation", "self-employed", "business owner", "the same or not"),
    ("occupation", "photographer", "photographer / graphic designer", "one role of two, or both"),
    ("occupation", "electrician", "plumber", "the same field (trades) or not"),
    ("occupation", "police officer", "law enforcement", "the field, or the job by the design's 'IT' example"),
    ("occupation", "barista", "coffee shop worker", "the same job or the field"),
    ("occupation", "software engineer", "computer science student", "the same field or another status"),
    ("occupation", "college student", "high school student", "both students: correct or less precise"),
    ("occupation", "construction worker", "builder", "a labourer, or a contractor firm"),
]


def load_cases() -> list[dict[str, str]]:
    with CASES_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=300, help="disagreements to list")
    parser.add_argument("--only", help="one principle (a prefix selects several)")
    parser.add_argument("--attribute", help="one attribute key")
    args = parser.parse_args()
    rows = []
    for case in load_cases():
        if args.only and not case["principle"].startswith(args.only):
            continue
        if args.attribute and case["attribute"] != args.attribute:
            continue
        d = judge(case["attribute"], case["truth"], case["guess"])
        rows.append((case, d.verdict, d.detail or ""))
    per: dict[str, list[bool]] = defaultdict(list)
    per_attr: dict[str, list[bool]] = defaultdict(list)
    for case, got, _ in rows:
        per[case["principle"]].append(case["expected"] == got)
        per_attr[case["attribute"]].append(case["expected"] == got)
    total = sum(sum(v) for v in per.values())
    print(f"{len(rows)} cases ({len(DROPPED)} arguable forms dropped)")
    for principle in sorted(per):
        ok = per[principle]
        print(f"  {principle:20} {sum(ok):4}/{len(ok):<4} {100 * sum(ok) / len(ok):5.1f}%")
    print("by attribute:")
    for attr in sorted(per_attr):
        ok = per_attr[attr]
        print(f"  {attr:20} {sum(ok):4}/{len(ok):<4} {100 * sum(ok) / len(ok):5.1f}%")
    if rows:
        print(f"  {'overall':20} {total:4}/{len(rows):<4} {100 * total / len(rows):5.1f}%")
    bad = [r for r in rows if r[0]["expected"] != r[1]]
    abstained = sum(1 for _, got, _ in bad if got == "undecided")
    if bad:
        print(f"\ndisagreements ({abstained} of them 'undecided'):")
        print("  principle | attribute | truth | guess | expected -> verdict | detail")
        for case, got, detail in bad[: args.show]:
            print(
                f"  {case['principle']} | {case['attribute']} | {case['truth']} | {case['guess']} | "
                f"{case['expected']} -> {got} | {detail}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
