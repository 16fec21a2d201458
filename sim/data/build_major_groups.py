"""Rebuild the simulator's built-in occupation table: the 22 SOC major groups.

Why this script exists: the simulator must run without the public O*NET/BLS exposure data
(``../shared/data/onet_exposure``, from ``openai/GPTs-are-GPTs``), so it ships a small
aggregated table, ``sim/data/major_groups.csv``, with one row per SOC major group. The raw data
files must never be copied into the repository; this script is the single, reproducible path
from those files to the committed table, and a test checks that the committed CSV still equals
a fresh build.

Method (every judgement call is here, in one place):

* **Task-hours.** O*NET gives no hours per task, so each task is weighted by its type:
  ``Core`` = 1.0, ``Supplemental`` = 0.5, and tasks with no type (O*NET leaves the type blank
  for ~120 occupations whose tasks were never rated) count as Core. The weights are normalised
  per detailed BLS occupation so that each occupation's tasks sum to 1 (its working time).
* **Join.** The first 7 characters of an O*NET-SOC code (``15-1252.01`` -> ``15-1252``) are the
  BLS ``OCC_CODE`` of a detailed occupation. Where BLS publishes a SOC broad code instead
  (ending in 0, e.g. ``31-1120`` Home Health and Personal Care Aides, 3.4M workers), O*NET codes
  sharing its first 6 characters (``31-1121``, ``31-1122``) map to it. Several O*NET codes may
  map to one BLS code; their tasks are pooled before normalising. Detailed occupations are
  then aggregated to their major group (first 2 characters) weighted by BLS OEWS May 2021
  employment (``TOT_EMP``); unmatched ones (mostly "All Other" residuals) are left out of the
  task profile and counted in ``employment_matched_share``.
* **Exposure shares.** ``share_e0/e1/e2``: the share of the group's task-hours whose GPT-4
  exposure label is E0 (none), E1 (LLM alone halves the time) or E2 (LLM plus tools).
* **Physical work.** A transparent keyword rule on the task statement (``PHYSICAL_PATTERNS``);
  ``physical_share_eK`` is the share of the class-K task-hours that are physical.
* **Verifiability.** The mean of O*NET work contexts "structured versus unstructured work" and
  "importance of being exact or accurate" (both 0-1), joined on the O*NET occupation title;
  occupations without a match take their group's employment-weighted mean of matched ones.
* **Experiments.** ``experiment_share``: task-hours whose statement needs costly real-world
  experiments or trials (keyword rule ``EXPERIMENT_PATTERNS``).
* **Job zone** (O*NET preparation level 1-5, joined on title, filled like verifiability) and
  the paper's own occupation score ``dv_rating_beta`` (E1 + 0.5 E2), kept for comparison.

The same task profile is computed for the single occupation 15-1221 "Computer and Information
Research Scientists" and written to ``sim/data/ai_research_tasks.csv``; the simulator uses it to
decide when AI can automate AI research.

Usage::

    python -m sim.data.build_major_groups [--data DIR] [--out PATH] [--research-out PATH]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.occupations import MAX_EMPLOYMENT, MAX_HOURLY_WAGE
from sim.errors import OccupationTableError, Problem, SimInputError
from sim.files import replacing

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = (REPO_ROOT / ".." / "shared" / "data" / "onet_exposure").resolve()
DEFAULT_OUT = Path(__file__).resolve().parent / "major_groups.csv"
DEFAULT_RESEARCH_OUT = Path(__file__).resolve().parent / "ai_research_tasks.csv"

TASKS_FILE = "full_labelset.tsv"
OCC_LEVEL_FILE = "occ_level.csv"
BLS_FILE = "national_May2021_dl.csv"
WORK_CONTEXT_FILE = "occupations_onet_work_contexts.csv"
SKILLS_FILE = "occupations_onet_basic_skills.csv"

AI_RESEARCH_OCC = "15-1221"

#: Relative task-hours by O*NET task type (O*NET publishes no hours per task). Tasks without a
#: type are treated as Core.
TASK_TYPE_WEIGHTS: dict[str, float] = {"Core": 1.0, "Supplemental": 0.5}
MISSING_TASK_TYPE_WEIGHT = 1.0

#: Hours in a full-time work year, to turn an annual mean wage into an hourly one when BLS
#: publishes only the annual figure (teachers, pilots, ...).
HOURS_PER_YEAR = 2080.0

EXPOSURE_CLASSES = ("E0", "E1", "E2")

#: Physical-work proxy. A task is physical if its statement matches any of these patterns
#: (case-insensitive). Three kinds of evidence:
#: 1. hands-on verbs that are physical in nearly every use (weld, lift, sweep, ...), with
#:    negative look-aheads for their figurative uses ("drive growth", "cut costs",
#:    "install software", "load data");
#: 2. verbs of operating/tending/servicing followed within a few words by machinery, vehicles or
#:    tools; "operate" alone is not enough ("operate a business" is office work);
#: 3. nouns that only occur in hands-on work (materials, hand tools, building trades, patient
#:    care). Figurative "tools" (software, analytical, ...) are excluded.
PHYSICAL_PATTERNS: tuple[str, ...] = (
    # 1. hands-on verbs
    r"\b(lift|hoist|haul|shovel|excavat)\w*|\bdig(?:s|ging)?\b",
    r"\b(carry|carries|carried|carrying)\b(?![\s-]+((\w+\s+)?out|on)\b)",
    r"\b(drive|drives|driving|drove)\b(?!\s+(growth|sales|change|innovation|improvement"
    r"|results|performance|revenue|business|strategy|decisions?|adoption)\b)",
    r"\b(load|loading|loaded|unload\w*)\b(?!\s+(data|software|programs?|files?)\b)",
    r"\b(weld|solder|braz|grind|drill(?:s|ed|ing)?\b(?!\s+down)|bor(?:e|ing)\s+holes"
    r"|cast(?:s|ing)?\s+(metal|molds?|concrete|parts))\w*",
    r"\b(assembl(?:e|es|ed|ing)\b|disassembl|dismantl|fabricat|fasten|bolt|rivet"
    r"|nail(?:s|ed|ing)?\b|glue|glued|gluing|clamp|lubricat|sand(?:s|ed|ing)\b"
    r"|buff(?:s|ed|ing)?\b|splic|sharpen\w*\s+(tools|knives|blades))\w*",
    r"\b(install(?:s|ed|ing)?|reinstall\w*)\b(?!\W+(\w+\W+){0,3}(software|programs?"
    r"|applications?|updates?|patches|operating\s+systems?|bookkeeping|accounting|databases?"
    r"|environments?|computer\s+systems?|servers?)\b)",
    r"\b(repair|repaired|repairing|rebuild\w*|refurbish\w*|mak(?:e|es|ing)\s+(\w+\s+)?repairs)\b"
    r"(?!\s+(\w+\s+){0,2}(software|code|programs?|bugs?|errors?|data|files?|relationships?)\b)",
    r"\b(clean(?:s|ed|ing)?\b|wash|scrub|sweep|swept|mop|vacuum|sanitiz|disinfect|sterili[sz]"
    r"|dust(?:s|ed|ing)\b|launder|iron(?:s|ed|ing)\b(?!\s+out)|fold(?:s|ed|ing)?\s+(linens?"
    r"|laundry|clothes|towels))\w*(?!\s+(data|records|files)\b)",
    r"\b(cook|bake|fry|fries|fried|grill|roast|broil|saute|chop|peel|knead"
    r"|garnish(?:es|ed|ing)?\b|brew|butcher|serv(?:e|es|ed|ing)\s+(\w+\s+){0,2}(foods?|meals?"
    r"|beverages?|drinks?|dishes|snacks))\w*",
    r"\b(polish(?:es|ed|ing)?|wip(?:e|es|ed|ing)|wax(?:es|ed|ing)?|sever(?:s|ed|ing)?"
    r"|tighten\w*|loosen\w*|dilut(?:e|es|ed|ing)|sift\w*|stir(?:s|red|ring)?|knead\w*)\b",
    r"\b(cut|cuts|cutting)\b(?!\s+(costs?|expenses?|budgets?|spending|prices?|back)\b)",
    r"\b(sew|stitch|knit|upholster)\w*",
    r"\b(paint(?:s|ed|ing)?|plaster\w*|caulk\w*|spray\w*|pour\w*|coat(?:s|ed|ing)?\s+"
    r"surfaces|seal(?:s|ed|ing)?|mix(?:es|ed|ing)?\s+(\w+\s+){0,3}(concrete|mortar|ingredients|chemicals"
    r"|paint|dough|drinks|batter))\b",
    r"\b(pack(?:s|ed|ing)?|wrap(?:s|ped|ping)?\b(?!\s+up)|stack(?:s|ed|ing)?|palletiz\w*"
    r"|stock(?:s|ed|ing)?\s+(shelves|merchandise|supplies|items)|patch(?:es|ed|ing)?\s+(\w+\s+)?"
    r"(tubes|holes|tires|roofs|walls|cracks|potholes|drywall|plaster|leaks))\b",
    r"\b(mow\w*|prune|pruning|trim(?:s|med|ming)?\s+(trees|shrubs|hedges|hair|nails)"
    r"|harvest(?:s|ed|ing)?\b(?!\s+(plans?|schedules?))|plant(?:s|ed|ing)?\s+(trees|seeds"
    r"|crops|shrubs|flowers|seedlings)|irrigat(?:e|es|ed|ing)|fertiliz(?:e|es|ed|ing)"
    r"|spread\w*\s+(fertilizer|mulch|seed))\b",
    r"\b(bathe|bathing|shampoo|massag|manicur|pedicur|shav(?:e|es|ing)\b|dress(?:es|ed"
    r"|ing)?\s+(patients|residents|clients|wounds)|feed(?:s|ing)?\s+(patients|residents"
    r"|animals|livestock|infants|children))\w*",
    r"\b(inject|bandag|suture|splint|catheter|intubat|resuscitat|venipuncture|draw(?:s|ing)?"
    r"\s+blood|administer(?:s|ed|ing)?\s+(injections|intravenous|iv\b)"
    r"|perform(?:s|ed|ing)?\s+(surgery|surgical|physical\s+exam))\w*",
    r"\b(examin|position|reposition|turn|transfer|lift|hold|restrain|move|transport|escort"
    r"|exercis|fit|help\w*\s+moving)\w*\s+(\w+\s+){0,2}(patients?|residents|injured|victims"
    r"|prisoners|inmates|animals|livestock)\b",
    r"\b(chang|apply|applies|applied|applying)\w*\s+(\w+\s+){0,2}(dressings|bandages|splints"
    r"|casts|insulation|weather-stripping|caulking|shingles)\b",
    r"\b(collect|obtain|draw|take)\w*\s+(\w+\s+){0,2}(specimens|blood|samples\s+of\s+"
    r"(soil|water|tissue|ore|rock))\b",
    r"\b(raz(?:e|es|ed|ing)|demolish\w*|erect(?:s|ed|ing)?|ambulat\w*|pulse)\b",
    r"\b(patrol\w*|apprehend\w*|arrest(?:s|ed|ing)?\b(?!\s+records?)|extinguish\w*|rescue\w*"
    r"|frisk\w*|subdue\w*|firefighting|fight\w*\s+fires?)\b",
    r"\b(danc(?:e|es|ed|ing)|play(?:s|ed|ing)?\s+(\w+\s+)?(instruments?|piano|guitar|drums"
    r"|violin|sports?)|perform\w*\s+(stunts|acrobatic))\b",
    # 2. operating / tending / servicing followed (within 5 words) by machinery, vehicles, tools
    r"\b(operat|tend|run|set(?:s|ting)?\s+up|adjust|calibrat|start|stop|steer|pilot|navigat"
    r"|maneuver|control|maintain|service|inspect|test|align|position|feed|thread|monitor|use"
    r"|using|handle|handling|guide|guiding|replac|overhaul|troubleshoot|dismantl|move|moved"
    r"|moving|load|loading|unload\w*|check|sort|stow|set|manipulat|turn|lower|rais|remov|mount"
    r"|secur|attach|connect|disconnect|unlock|lock|fuel|tow|park|wash|wip|clean)\w*\b(?:\W+\w+){0,5}?\W+"
    r"(machines?|machinery|equipment|vehicles?|trucks?|forklifts?|cranes?|tractors?|engines?"
    r"|motors?|pumps?|compressors?|generators?|boilers?|furnaces?|kilns?|ovens?|conveyors?"
    r"|presses|lathes?|hoists?|winches|derricks|boats?|vessels|ships|aircraft|airplanes?"
    r"|helicopters?|locomotives?|trains|buses|cars|automobiles|controls|levers|valves?"
    r"|switches|gauges|dials|instruments|apparatus|tools?|rigs?|looms?|saws?|drills"
    r"|robots?|x-ray|cargo|freight|baggage|luggage|parcels|packages)\b",
    r"\breplac\w*\s+(\w+\s+){0,3}(parts|components|filters|belts|bearings|tires)\b",
    # 3. nouns of hands-on work
    r"\b(hand\s+tools|power\s+tools|hand\s+trucks?|forklifts?|workpieces?|scaffold\w*|lumber"
    r"|concrete|mortar|bricks?|drywall|shingles|tiles?\b|carpets?|pipes?|piping|plumbing"
    r"|wiring|conduits?|beams|girders|rebar|asphalt|sheet\s+metal|welds?|molds?|castings"
    r"|fixtures|fittings|hoses|nozzles|wrenches|hammers?|shovels?|ladders?|pallets?"
    r"|livestock|crops|timber|trees|lawns?|shrubs|debris|trash|garbage|linens|dishes"
    r"|utensils|food\s+(items|products)|hair|wounds?|bedpans?|wheelchairs?|stretchers?|floors"
    r"|furniture|tablecloths|cloths|sharps|valves?|control\s+panels|chain\s+saws?|meat"
    r"|carcass\w*|poultry|vital\s+signs)\b",
)

#: Phrases that use physical-sounding words figuratively, or name office machines; they are
#: removed before the patterns are applied, so a task is not flagged physical because of them.
PHYSICAL_EXCLUSIONS: tuple[str, ...] = (
    r"\b(software|analytical|statistical|management|marketing|online|web|internet|learning"
    r"|teaching|assessment|planning|research|computer|programming|productivity|communication"
    r"|business|financial|collaboration|digital|design|modeling|evaluation|survey|automated"
    r"|electronic|social\s+media|instructional|educational|screening|measurement|intelligence"
    r"|criminal|reporting|visualization|authoring|development|testing|bioinformatics)\s+tools?\b",
    r"\brepairs?\s+(costs?|estimates?|shops?|orders?|services|records?|requests?)\b",
    r"\boperat\w*\s+(a\s+|the\s+|an\s+)?(business|company|firm|agency|office|organization"
    r"|practice|program|facility|department|budget|establishment)\b",
    r"\b(internal|financial|accounting|quality|cost|inventory|access|security|management"
    r"|administrative|budgetary|expenditure)\s+controls\b",
    r"\bcontrol\s+(costs?|budgets?|expenditures?|quality|inventory|access)\b",
    r"\b(financial|debt|investment|legal|research|survey|assessment|measurement|testing"
    r"|psychological|diagnostic)\s+instruments\b",
    r"\b(office|computer|telephone|peripheral|audio-?visual|presentation|communications?"
    r"|data\s+processing|word\s+processing)\s+(machines|equipment)\b",
    r"\b(facsimile|fax|copy(?:ing)?|adding|dictation|postage|mailing|ticket|vending|voting"
    r"|answering|photocopy(?:ing)?|calculating|check\s+sorting|bookkeeping|billing)"
    r"\s+machines?\b",
    r"\b(family|decision|phylogenetic|organizational)\s+trees\b",
    r"\b(baggage|cargo|freight)\s+(claims?|insurance|rates?|charges)\b",
    r"\b(hair|fine)\s+lines?\b",
)

#: Proxy for tasks that need costly real-world experiments or trials (laboratory work, clinical
#: trials, prototypes, field tests, specimens and samples): matched on the task statement.
EXPERIMENT_PATTERNS: tuple[str, ...] = (
    r"\bexperiment\w*",
    r"\blaborator(y|ies)\b",
    r"\blab\s+(tests?|work|experiments?|equipment|samples?|analys[ie]s)\b",
    r"\bclinical\s+(trials?|stud(y|ies)|research|investigations?)\b",
    r"\b(field|pilot|bench|flight|road|crash|wind[-\s]tunnel)\s+(tests?|testing|trials?"
    r"|stud(y|ies))\b",
    r"\bprototypes?\b",
    r"\bspecimens?\b",
    r"\b(tissue|blood|soil|water|air|rock|core|biological|chemical|material|ore|urine|fluid"
    r"|cell|pollution|waste|gas|solid|sediment|geological|environmental|field|dna|plant"
    r"|laboratory|lab)\s+samples?\b",
    r"\bsamples?\s+of\s+(tissue|blood|soil|water|air|rock|materials?|ore|fluids?|sediments?)\b",
    r"\b(chemical|physical|microbiological|toxicity|destructive|nondestructive)\s+tests\b",
    r"\b(assays?|in\s+vitro|in\s+vivo|cell\s+cultures?|cultures\s+of|test\s+tubes?)\b",
    r"\b(test\s+(flights?|runs?|plots?|wells?|animals?|subjects)|animal\s+(studies|testing))\b",
    r"\b(trials?\s+of\s+new|conduct\w*\s+(\w+\s+){0,2}trials?)\b",
)

#: Laboratories that are classrooms or workshops rather than experimental facilities; removed
#: before ``EXPERIMENT_PATTERNS`` are applied.
EXPERIMENT_EXCLUSIONS: tuple[str, ...] = (
    r"\b(computer|language|gis|geographic\s+information\s+systems|photofinishing|photographic"
    r"|dental|optical|media|writing|learning)\s+laborator(y|ies)\b",
    r"\b(court|jury)\s+trials?\b",
)

_PHYSICAL_RE = re.compile("|".join(f"(?:{p})" for p in PHYSICAL_PATTERNS), re.IGNORECASE)
_PHYSICAL_EXCLUDE_RE = re.compile("|".join(f"(?:{p})" for p in PHYSICAL_EXCLUSIONS), re.IGNORECASE)
_EXPERIMENT_RE = re.compile("|".join(f"(?:{p})" for p in EXPERIMENT_PATTERNS), re.IGNORECASE)
_EXPERIMENT_EXCLUDE_RE = re.compile(
    "|".join(f"(?:{p})" for p in EXPERIMENT_EXCLUSIONS), re.IGNORECASE
)

#: Columns of the task profile (shared by the major-group table and the research row).
PROFILE_COLUMNS: tuple[str, ...] = (
    "share_e0",
    "share_e1",
    "share_e2",
    "physical_share_e0",
    "physical_share_e1",
    "physical_share_e2",
    "experiment_share",
)

MAJOR_GROUP_COLUMNS: tuple[str, ...] = (
    "soc_major",
    "title",
    "employment",
    "mean_wage_usd_per_hour",
    *PROFILE_COLUMNS[:6],
    "verifiability",
    "experiment_share",
    "job_zone",
    "dv_rating_beta",
    "employment_matched_share",
)


# --------------------------------------------------------------------------------------------
# Keyword rules
# --------------------------------------------------------------------------------------------


def is_physical(task: str) -> bool:
    """Tell whether a task statement describes physical (manual, embodied) work.

    Args:
        task: An O*NET task statement.

    Returns:
        True if the statement matches ``PHYSICAL_PATTERNS`` once the figurative phrases in
        ``PHYSICAL_EXCLUSIONS`` are removed.

    """
    cleaned = _PHYSICAL_EXCLUDE_RE.sub(" ", task)
    return _PHYSICAL_RE.search(cleaned) is not None


def needs_experiments(task: str) -> bool:
    """Tell whether a task statement needs costly real-world experiments or trials.

    Args:
        task: An O*NET task statement.

    Returns:
        True if the statement matches ``EXPERIMENT_PATTERNS`` once the phrases in
        ``EXPERIMENT_EXCLUSIONS`` are removed.

    """
    cleaned = _EXPERIMENT_EXCLUDE_RE.sub(" ", task)
    return _EXPERIMENT_RE.search(cleaned) is not None


# --------------------------------------------------------------------------------------------
# Loading and checking
# --------------------------------------------------------------------------------------------
#
# Every file is read as text cells and checked before anything is computed from it, so a
# malformed folder fails fast (before the ~5 s of keyword rules) with one line per problem,
# naming the file, the row (its line number; the header is line 1) or column, the value and
# what is allowed. What is allowed, and why:
#
# * a file is UTF-8 text (a byte-order mark is fine), at most ``MAX_FILE_BYTES``, with a header
#   and at least one data row, every row as many fields as the header, the required columns
#   once each; a last row with too few fields, or an unclosed quote, is a file cut short;
# * codes have their SOC (``NN-NNNN``) or O*NET-SOC (``NN-NNNN.NN``) form and appear once per
#   file (a BLS code once per ``O_GROUP``: BLS repeats a broad code as its own detailed row);
#   a task statement once per O*NET occupation; a title once in the title-keyed files: a
#   repeated row would silently re-weight an occupation;
# * BLS employment is a whole number from 0 to ``MAX_EMPLOYMENT`` (the US labour force: no OEWS
#   row, not even "All Occupations", exceeds it); a mean wage is above 0 and at most
#   ``MAX_HOURLY_WAGE`` an hour (2080 times that a year); both bounds live in
#   :mod:`sim.data.occupations`. Where both means are published, the annual one is 2080 hourly ones
#   (``WAGE_TOLERANCE``). The BLS markers ``*``, ``**`` and ``#`` stand for unpublished and
#   top-coded figures; text such as ``inf`` or ``NaN`` is never a number here;
# * scores lie in their documented ranges (blank: unknown);
# * a truncated file is refused by two rules besides the short last row: the BLS sums
#   (``SUM_TOLERANCE``, which also catch an altered employment figure) and the cross-file
#   coverage (``check_join``).

#: Columns each file must have (the rest are ignored).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    TASKS_FILE: ("O*NET-SOC Code", "Task", "Task Type", "Title", "gpt4_exposure", "automation"),
    OCC_LEVEL_FILE: ("O*NET-SOC Code", "Title", "dv_rating_beta"),
    BLS_FILE: ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN"),
    WORK_CONTEXT_FILE: ("occupation", "structured_versus_unstructured_work_context",
                        "importance_of_being_exact_or_accurate_context"),
    SKILLS_FILE: ("Occupation", "Job Zone"),
}

#: Largest file read. The biggest file of the public data is 3.9 MB; the bound keeps a wrong
#: file (an archive, a disk image) from being read whole into memory.
MAX_FILE_BYTES = 64 * 2**20

#: BLS markers: ``*`` and ``**`` = not published; ``#`` = top-coded (>= $100/h, >= $208,000/yr),
#: which is taken at the top code. BLS never leaves a cell blank.
BLS_MISSING = ("*", "**")
BLS_TOP_CODE = {"H_MEAN": 100.0, "A_MEAN": 208_000.0}

#: The ``O_GROUP`` labels of the OEWS file.
BLS_GROUPS = ("total", "major", "minor", "broad", "detailed")

#: Largest gap allowed between BLS sums and the totals they add up to: the detailed rows of a
#: major group and its ``major`` row, the ``major`` rows and the ``total`` row. In the May 2021
#: file they agree within 0.15%; a wider gap means rows are missing (a file cut short) or a
#: figure was altered.
SUM_TOLERANCE = 0.01

#: Largest gap allowed between a published annual mean wage and 2080 hours of the hourly one
#: (BLS derives one from the other; the May 2021 file agrees within 0.06%): a wider gap means
#: one of the two was altered.
WAGE_TOLERANCE = 0.01

#: Smallest share of the BLS detailed employment in occupations with O*NET tasks. The public
#: data has 96.7%; under 90% means the task file is cut short or the codes do not match.
MIN_EMPLOYMENT_MATCHED = 0.90

#: Smallest share of O*NET occupations whose title the work-context and the skills file each
#: know (95% in the public data); fewer means one of them is cut short or is another file.
MIN_TITLES_MATCHED = 0.5

#: GPT-4 automation ratings T0-T4 as the data encodes them (0 = none ... 1 = full automation).
AUTOMATION_SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)

SOC_CODE = r"\d\d-\d{4}"
ONET_CODE = r"\d\d-\d{4}\.\d\d"

WHERE_FROM = ("the O*NET x BLS exposure folder (see its README), given by --data, "
              "occupations.data_dir or SIM_ONET_DATA")


def _problem(path: Path, field: str, value, allowed: str) -> OccupationTableError:
    """One problem with one file, as the input error the CLI prints on one line."""
    return OccupationTableError(str(path), [Problem(field, value, allowed)])


class _Checks:
    """The problems found in one file, raised together (one line each) by :meth:`done`."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def add(self, field: str, value, allowed: str) -> None:
        """Note one problem."""
        self.problems.append(Problem(field, value, allowed))

    def rows(self, bad: pd.Series, column: str, values: pd.Series, allowed: str) -> None:
        """Note the rows where ``bad`` holds: the first one by line, and how many there are."""
        if bad.any():
            first = bad.index[bad.to_numpy()][0]
            more = int(bad.sum()) - 1
            where = f"{column} (row {first}" + (f", and {more} more rows)" if more else ")")
            self.add(where, str(values.loc[first]), allowed)

    def done(self) -> None:
        """Raise the problems noted, if any."""
        if self.problems:
            raise OccupationTableError(str(self.path), self.problems)


def _read_text(path: Path) -> str:
    """The file's text; a missing, special, huge, binary or non-UTF-8 file is an input error."""
    if not path.exists():
        raise _problem(path, "(file)", str(path), f"file not found; allowed: {WHERE_FROM}")
    if path.is_dir():
        raise _problem(path, "(file)", str(path), "a folder, not a file; allowed: the data "
                       "file of that name")
    if not path.is_file():
        raise _problem(path, "(file)", str(path), "not a regular file; allowed: a CSV/TSV file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _problem(path, "(file)", f"{size:,} bytes", f"allowed: at most "
                           f"{MAX_FILE_BYTES:,} bytes (the largest public file is 3.9 MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise _problem(path, "(file)", exc.strerror or type(exc).__name__,
                       "unreadable; allowed: a readable file") from None
    data = data.removeprefix(b"\xef\xbb\xbf")  # the BLS file starts with a byte-order mark
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _problem(path, f"(file, line {line})", data[exc.start: exc.start + 8],
                       "bytes that are not UTF-8; allowed: a UTF-8 text file") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise _problem(path, f"(file, line {line})", "NUL byte", "binary data; allowed: a "
                       "text CSV/TSV file")
    return text


def _records(path: Path, text: str, sep: str) -> tuple[list[list[str]], list[int]]:
    """Parse CSV/TSV text (strict quoting; blank lines skipped) into records and the line
    each record starts on.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records, lines, previous = [], [], 0
    try:
        for record in reader:
            if record:
                records.append(record)
                lines.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise _problem(path, f"(file, line {reader.line_num})", str(exc), "not valid "
                       "CSV/TSV (an unclosed quote at the end means a file cut short); "
                       "allowed: a complete CSV/TSV file") from None
    return records, lines


def _widths_by_line(text: str, sep: str) -> tuple[list[str], list[int], list[int]] | None:
    """The header, and each row's number of fields and line, counted line by line (blank
    lines skipped); None when a field may span lines (a line with an odd number of quotes) or
    a quoted line does not parse: then only the full parser can tell.

    Why: the task file has 19,000 rows; counting separators is ~5 times cheaper than building
    every row as Python strings, and pandas reads the cells.
    """
    raw = text.split("\n")
    lines = [n for n, line in enumerate(raw, 1) if line and line != "\r"]
    if not lines:
        return [], [], []
    widths = [raw[n - 1].count(sep) + 1 for n in lines]
    quoted = [i for i, n in enumerate(lines) if '"' in raw[n - 1]]
    texts = [raw[lines[i] - 1].removesuffix("\r") for i in quoted]
    if any(t.count('"') % 2 for t in texts):
        return None
    try:
        for i, fields in zip(quoted, csv.reader(texts, delimiter=sep, strict=True), strict=True):
            widths[i] = len(fields)
    except (csv.Error, ValueError):
        return None
    header = next(csv.reader([raw[lines[0] - 1].removesuffix("\r")], delimiter=sep))
    return header, widths, lines


def _check_shape(path: Path, widths: list[int], lines: list[int]) -> None:
    """A header, at least one data row, and every row as many fields as the header."""
    if not widths:
        raise _problem(path, "(file)", "no header and no rows", "empty file; allowed: a "
                       "header line and data rows")
    if len(widths) == 1:
        raise _problem(path, "rows", 0, "a header and no data rows; allowed: at least one "
                       "data row")
    bad = [i for i in range(1, len(widths)) if widths[i] != widths[0]]
    if bad:
        i = bad[0]
        last = i == len(widths) - 1 and widths[i] < widths[0]
        raise _problem(path, f"row {lines[i]}", f"{widths[i]} fields",
                       ("the last row is cut short: the file looks truncated; " if last
                        else "") + f"allowed: {widths[0]} fields, as in the header")


def read_data_file(data_dir: Path, name: str) -> pd.DataFrame:
    """Read one file of the data folder as text cells, indexed by line number.

    Args:
        data_dir: The data folder.
        name: File name (one of ``REQUIRED_COLUMNS``; ``.tsv`` files are tab-separated).

    Returns:
        The file's required columns, every cell a string, the index the line each row starts
        on.

    """
    path = Path(data_dir) / name
    text, sep = _read_text(path), "\t" if name.endswith(".tsv") else ","
    by_line = _widths_by_line(text, sep)
    records = None
    if by_line is None:
        records, lines = _records(path, text, sep)
        header, widths = (records or [[]])[0], [len(r) for r in records]
    else:
        header, widths, lines = by_line
    _check_shape(path, widths, lines)
    required = list(REQUIRED_COLUMNS[name])
    _check_columns(path, header, required)
    frame = (_read_cells(path, text, sep, required) if records is None
             else pd.DataFrame(records[1:], columns=header, dtype=str)[required])
    if len(frame) != len(lines) - 1:  # cannot happen on rows checked above; never misnumber
        raise _problem(path, "rows", len(frame), f"{len(lines) - 1} rows by line; allowed: a "
                       "plain CSV/TSV file")
    return frame.set_axis(lines[1:], axis=0)


def _read_cells(path: Path, text: str, sep: str, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of checked CSV/TSV text as strings, read by pandas' fast parser."""
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           usecols=columns)
    except (pd.errors.ParserError, ValueError) as exc:
        raise _problem(path, "(file)", str(exc).split("\n")[0], "not parseable; allowed: a "
                       "plain CSV/TSV file") from None


def _check_columns(path: Path, header: list[str], required: list[str]) -> None:
    """Every required column in the header, once."""
    missing = [c for c in required if c not in header]
    if missing:
        raise _problem(path, "columns", missing,
                       f"missing column(s); allowed: a file with {required}")
    repeated = [c for c in required if header.count(c) > 1]
    if repeated:
        raise _problem(path, "columns", repeated, "repeated column(s); allowed: each once")


def _check_codes(checks: _Checks, raw: pd.Series, column: str, pattern: str,
                 example: str) -> pd.Series:
    """Codes stripped of spaces; one not of the form ``pattern`` is a problem."""
    codes = raw.str.strip()
    checks.rows(~codes.str.fullmatch(pattern), column, raw, f"allowed: a code like {example}")
    return codes


def _check_once(checks: _Checks, keys: pd.DataFrame, column: str, raw: pd.Series,
                what: str) -> None:
    """Every row of ``keys`` once: a repeated row would count an occupation twice."""
    repeated = keys.duplicated()
    if repeated.any():
        first = keys.index[repeated.to_numpy()][0]
        earlier = keys.index[(keys == keys.loc[first]).all(axis=1).to_numpy()][0]
        checks.rows(repeated, column, raw, f"repeats row {earlier}; allowed: {what}")


def _bls_number(checks: _Checks, raw: pd.DataFrame, column: str, high: float,
                allowed: str) -> pd.Series:
    """A BLS number column: thousands separators dropped, ``*``/``**`` NaN, ``#`` the top code.

    Text that is not a number, ``inf``, ``NaN``, a number outside ``[0, high]`` (above 0 for
    wages) or a fraction of a worker is a problem.
    """
    text = raw[column]
    cleaned = text.str.replace(",", "", regex=False).str.strip()
    markers = BLS_MISSING + (("#",) if column in BLS_TOP_CODE else ())
    is_marker = cleaned.isin(markers)
    numbers = pd.to_numeric(cleaned.where(~is_marker), errors="coerce").astype(float)
    finite = pd.Series(np.isfinite(numbers.to_numpy()), index=numbers.index)
    checks.rows(numbers.isna() & ~is_marker, column, text,
                f"unparseable number; allowed: {allowed}")
    checks.rows(numbers.notna() & ~finite, column, text, f"not finite; allowed: {allowed}")
    above_low = numbers > 0 if column in BLS_TOP_CODE else numbers >= 0  # wages above $0
    in_range = above_low & (numbers <= high)
    checks.rows(finite & ~in_range, column, text, f"out of range; allowed: {allowed}")
    if column not in BLS_TOP_CODE:  # employment counts workers
        checks.rows(numbers.where(in_range, 0.0) % 1 != 0, column, text, f"not a whole number; "
                    f"allowed: {allowed}")
    return numbers.mask(cleaned == "#", BLS_TOP_CODE.get(column, np.nan))


def load_bls(data_dir: Path) -> pd.DataFrame:
    """Load the BLS OEWS May 2021 national estimates, checked row by row and for their sums.

    Args:
        data_dir: Folder holding ``national_May2021_dl.csv``.

    Returns:
        One row per occupation code with ``occ_code``, ``title``, ``o_group``, ``employment``,
        ``hourly_wage`` (``H_MEAN``, or ``A_MEAN / 2080`` where only the annual mean is
        published), ``wage_top_coded`` and ``soc_major``.

    """
    path = Path(data_dir) / BLS_FILE
    raw = read_data_file(data_dir, BLS_FILE)
    checks = _Checks(path)
    codes = _check_codes(checks, raw["OCC_CODE"], "OCC_CODE", SOC_CODE, "15-1252")
    group = raw["O_GROUP"].str.strip()
    checks.rows(~group.isin(BLS_GROUPS), "O_GROUP", raw["O_GROUP"],
                f"allowed: one of {list(BLS_GROUPS)}")
    markers = "or the BLS markers * and ** (not published)"
    employment = _bls_number(checks, raw, "TOT_EMP", MAX_EMPLOYMENT, "a whole number of "
                             f"workers from 0 to {MAX_EMPLOYMENT:,} (the US labour force), "
                             f"{markers}")
    wage = f"{markers} or # (top-coded)"
    hourly = _bls_number(checks, raw, "H_MEAN", MAX_HOURLY_WAGE, f"a mean wage above $0 and "
                         f"at most ${MAX_HOURLY_WAGE:,.0f}/h, {wage}")
    annual = _bls_number(checks, raw, "A_MEAN", MAX_HOURLY_WAGE * HOURS_PER_YEAR,
                         f"a mean wage above $0 and at most "
                         f"${MAX_HOURLY_WAGE * HOURS_PER_YEAR:,.0f}/yr, {wage}")
    _check_once(checks, pd.DataFrame({"code": codes, "group": group}), "OCC_CODE",
                raw["OCC_CODE"], "each code once per O_GROUP")
    if not checks.problems:  # one wrong cell, one line: the ratio only of valid numbers
        _check_wage_ratio(checks, raw, hourly, annual)
    checks.done()
    bls = pd.DataFrame({
        "occ_code": codes, "title": raw["OCC_TITLE"], "o_group": group,
        "employment": employment, "hourly_wage": hourly.fillna(annual / HOURS_PER_YEAR),
        "wage_top_coded": (raw["H_MEAN"].str.strip() == "#")
        | (hourly.isna() & (raw["A_MEAN"].str.strip() == "#")),
        "soc_major": codes.str[:2],
    })
    _check_bls_sums(path, bls)
    return bls.reset_index(drop=True)


def _check_wage_ratio(checks: _Checks, raw: pd.DataFrame, hourly: pd.Series,
                      annual: pd.Series) -> None:
    """Where both means are published (not top-coded), ``A_MEAN`` is 2080 ``H_MEAN`` within
    ``WAGE_TOLERANCE``.
    """
    published = (raw["H_MEAN"].str.strip() != "#") & (raw["A_MEAN"].str.strip() != "#")
    expected = hourly * HOURS_PER_YEAR
    bad = published & ((annual - expected).abs() > WAGE_TOLERANCE * expected)
    if bad.any():
        first = bad.index[bad.to_numpy()][0]
        checks.rows(bad, "A_MEAN", raw["A_MEAN"], f"not {HOURS_PER_YEAR:g} x H_MEAN "
                    f"{raw['H_MEAN'].loc[first]} (one of the two is wrong); allowed: within "
                    f"{WAGE_TOLERANCE:.0%}")


def _check_bls_sums(path: Path, bls: pd.DataFrame) -> None:
    """One ``total`` row; the employment of ``total`` and ``major`` rows published; the
    ``major`` rows add up to the total and each group's detailed rows to its ``major`` row
    (``SUM_TOLERANCE``).
    """
    checks = _Checks(path)
    heads = bls[bls["o_group"].isin(("total", "major"))]
    for line, code in heads.loc[heads["employment"].isna(), "occ_code"].items():
        checks.add(f"TOT_EMP (row {line})", "* or **", f"not published for {code}, a 'total' "
                   "or 'major' row; allowed: the employment of the total and of every major "
                   "group")
    total = bls.loc[bls["o_group"] == "total", "employment"]
    if len(total) != 1:
        checks.add("rows with O_GROUP 'total'", len(total), "allowed: exactly one (00-0000 "
                   "All Occupations)")
    checks.done()
    majors = heads[heads["o_group"] == "major"].set_index("soc_major")["employment"]
    detailed = bls[bls["o_group"] == "detailed"]
    _check_sum(checks, "the 'major' rows", majors.sum(), float(total.iloc[0]),
               "the 'total' row", bls.index[-1])
    if not checks.problems:  # a file cut short fails the line above once, not every group
        orphan = ~detailed["soc_major"].isin(majors.index)
        checks.rows(orphan, "OCC_CODE", detailed["occ_code"], "its major group has no "
                    "'major' row; allowed: codes of the major groups in the file")
        sums = detailed["employment"].fillna(0.0).groupby(detailed["soc_major"]).sum()
        for major, employment in majors.items():
            _check_sum(checks, f"the 'detailed' rows of group {major}", sums.get(major, 0.0),
                       employment, f"its 'major' row {major}-0000", bls.index[-1])
    checks.done()


def _check_sum(checks: _Checks, rows: str, value: float, expected: float, of: str,
               last_line: int) -> None:
    """A sum of BLS rows within ``SUM_TOLERANCE`` of the figure it should add up to."""
    if abs(value - expected) > SUM_TOLERANCE * expected:
        share = f"{value / expected:.1%} of" if expected > 0 else "more than"
        why = (f"rows are missing (a file cut short after row {last_line}?) or a figure is "
               "wrong" if value < expected else "a figure is wrong")
        checks.add(f"TOT_EMP of {rows}", f"{value:,.0f}", f"they add up to {share} {of} "
                   f"({expected:,.0f}): {why}; allowed: within {SUM_TOLERANCE:.0%}")


def load_tasks(data_dir: Path, flags: bool = True) -> pd.DataFrame:
    """Load the O*NET task statements with their GPT-4 labels and keyword flags.

    Args:
        data_dir: Folder holding ``full_labelset.tsv``.
        flags: Whether to add the keyword flags (:func:`add_keyword_flags`, the slow part).

    Returns:
        One row per task with ``onet_code``, ``onet_title``, ``task``, ``exposure``,
        ``automation`` (the GPT-4 T0-T4 rating as 0-1), ``core`` (task type), ``weight``
        (relative task-hours before normalisation), and with ``flags`` ``physical`` and
        ``experiment``.

    """
    path = Path(data_dir) / TASKS_FILE
    raw = read_data_file(data_dir, TASKS_FILE)
    checks = _Checks(path)
    codes = _check_codes(checks, raw["O*NET-SOC Code"], "O*NET-SOC Code", ONET_CODE,
                         "15-1252.00")
    statement = raw["Task"].str.strip()
    checks.rows(statement == "", "Task", raw["Task"], "blank; allowed: a task statement")
    exposure = raw["gpt4_exposure"].str.strip()
    checks.rows(~exposure.isin(EXPOSURE_CLASSES), "gpt4_exposure", raw["gpt4_exposure"],
                f"allowed: one of {list(EXPOSURE_CLASSES)}")
    automation = pd.to_numeric(raw["automation"].str.strip(), errors="coerce")
    checks.rows(~automation.isin(AUTOMATION_SCORES), "automation", raw["automation"],
                f"allowed: one of {list(AUTOMATION_SCORES)}")
    types = raw["Task Type"].str.strip().replace("", np.nan)
    checks.rows(~types.isin(TASK_TYPE_WEIGHTS) & types.notna(), "Task Type", raw["Task Type"],
                f"allowed: one of {list(TASK_TYPE_WEIGHTS)} or blank")
    _check_once(checks, pd.DataFrame({"code": codes, "task": statement}), "Task", raw["Task"],
                "each task statement once per O*NET occupation")
    checks.done()
    tasks = pd.DataFrame({"onet_code": codes, "onet_title": raw["Title"], "task": statement,
                          "exposure": exposure, "automation": automation.astype(float)})
    tasks["core"] = types.fillna("Core") == "Core"
    tasks["weight"] = types.map(TASK_TYPE_WEIGHTS).fillna(MISSING_TASK_TYPE_WEIGHT).astype(float)
    tasks = tasks.reset_index(drop=True)
    return add_keyword_flags(tasks) if flags else tasks


def add_keyword_flags(tasks: pd.DataFrame) -> pd.DataFrame:
    """``tasks`` with the ``physical`` and ``experiment`` keyword flags of each statement."""
    tasks["physical"] = tasks["task"].map(is_physical).astype(bool)
    tasks["experiment"] = tasks["task"].map(needs_experiments).astype(bool)
    return tasks


def load_onet_occupation_scores(data_dir: Path) -> pd.DataFrame:
    """Load occupation-level O*NET scores keyed by O*NET-SOC code.

    Joins the GPT-4 occupation score (``occ_level.csv``) with work contexts and Job Zone, both
    of which are keyed by O*NET occupation title.

    Args:
        data_dir: Folder holding ``occ_level.csv`` and the two ``occupations_onet_*`` files.

    Returns:
        One row per O*NET occupation with ``onet_code``, ``onet_title``,
        ``dv_rating_beta``, ``verifiability`` and ``job_zone`` (NaN where the title did not
        match).

    """
    data_dir = Path(data_dir)
    occ = read_data_file(data_dir, OCC_LEVEL_FILE)
    checks = _Checks(data_dir / OCC_LEVEL_FILE)
    codes = _check_codes(checks, occ["O*NET-SOC Code"], "O*NET-SOC Code", ONET_CODE,
                         "15-1252.00")
    _check_once(checks, codes.to_frame(), "O*NET-SOC Code", occ["O*NET-SOC Code"],
                "each O*NET occupation once")
    rating = _scores(checks, occ["dv_rating_beta"], "dv_rating_beta", 0.0, 1.0)
    checks.done()
    context_columns = list(REQUIRED_COLUMNS[WORK_CONTEXT_FILE][1:])
    contexts = _by_title(data_dir, WORK_CONTEXT_FILE, "occupation", context_columns, 0.0, 1.0)
    skills = _by_title(data_dir, SKILLS_FILE, "Occupation", ["Job Zone"], 1.0, 5.0)
    titles = occ["Title"].str.strip()
    scores = pd.DataFrame({"onet_code": codes, "onet_title": titles, "dv_rating_beta": rating})
    scores["verifiability"] = titles.map(contexts[context_columns].mean(axis=1))
    scores["job_zone"] = titles.map(skills["Job Zone"]).astype(float)
    return scores.reset_index(drop=True)


def _by_title(data_dir: Path, name: str, title: str, columns: list[str], low: float,
              high: float) -> pd.DataFrame:
    """A title-keyed file's score ``columns``, indexed by title (each title once)."""
    raw = read_data_file(data_dir, name)
    checks = _Checks(data_dir / name)
    titles = raw[title].str.strip()
    checks.rows(titles == "", title, raw[title], "blank; allowed: an O*NET occupation title")
    _check_once(checks, titles.to_frame(), title, raw[title], "each occupation once")
    values = pd.DataFrame({c: _scores(checks, raw[c], c, low, high) for c in columns})
    checks.done()
    return values.set_axis(titles.to_numpy(), axis=0)


def _scores(checks: _Checks, values: pd.Series, column: str, low: float,
            high: float) -> pd.Series:
    """A score column: blank is NaN (unknown); text, ``NaN`` or a number out of range is a
    problem.
    """
    text = values.str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    bad = (numbers.isna() & (text != "")) | (numbers < low) | (numbers > high)
    checks.rows(bad, column, values, f"allowed: a number in [{low:g}, {high:g}] or blank")
    return numbers


# --------------------------------------------------------------------------------------------
# Aggregation
# --------------------------------------------------------------------------------------------


def map_onet_to_bls(onet_codes: pd.Series, detailed_codes: set[str]) -> pd.Series:
    """Map O*NET-SOC codes to BLS detailed occupation codes.

    The first 7 characters of an O*NET-SOC code are the BLS code (``15-1252.01`` ->
    ``15-1252``). Where BLS publishes only the SOC broad occupation in place of its detailed
    ones (codes ending in 0, e.g. ``31-1120`` Home Health and Personal Care Aides for O*NET's
    ``31-1121`` and ``31-1122``), the O*NET code maps to that broad code, which by SOC
    construction shares its first 6 characters.

    Args:
        onet_codes: O*NET-SOC codes (``NN-NNNN.NN``).
        detailed_codes: ``OCC_CODE`` of the BLS rows with ``O_GROUP == "detailed"``.

    Returns:
        The BLS code of each O*NET code, NaN where neither rule finds one.

    """
    exact = onet_codes.str[:7]
    broad = onet_codes.str[:6] + "0"
    return exact.where(exact.isin(detailed_codes), broad.where(broad.isin(detailed_codes)))


def task_hour_masses(tasks: pd.DataFrame) -> pd.DataFrame:
    """Give every task its share of its detailed occupation's working time.

    Tasks of all O*NET codes that map to one BLS code are pooled, and their weights normalised
    so that each BLS detailed occupation's tasks sum to 1.

    Args:
        tasks: Output of :func:`load_tasks` with the BLS ``occ_code`` of each task.

    Returns:
        ``tasks`` with a ``time_share`` column.

    """
    out = tasks.copy()
    out["time_share"] = out["weight"] / out.groupby("occ_code")["weight"].transform("sum")
    return out


def task_profile(tasks: pd.DataFrame, occ_weight: pd.Series) -> pd.Series:
    """Aggregate tasks into an exposure / physical / experiment profile.

    Each task counts ``time_share`` (its share of its occupation's time) times the weight of
    its occupation (employment, or 1 for a single occupation).

    Args:
        tasks: Tasks with ``occ_code``, ``time_share``, ``exposure``, ``physical``,
            ``experiment``.
        occ_weight: Weight of each BLS detailed occupation, indexed by ``occ_code``.

    Returns:
        A Series with the entries of ``PROFILE_COLUMNS``. A physical share of an exposure
        class with no task-hours is 0.

    """
    mass = tasks["time_share"] * tasks["occ_code"].map(occ_weight).fillna(0.0)
    total = mass.sum()
    profile: dict[str, float] = {}
    for label in EXPOSURE_CLASSES:
        in_class = tasks["exposure"] == label
        class_mass = mass[in_class].sum()
        key = label.lower()
        profile[f"share_{key}"] = class_mass / total
        profile[f"physical_share_{key}"] = (
            mass[in_class & tasks["physical"]].sum() / class_mass if class_mass > 0 else 0.0
        )
    profile["experiment_share"] = mass[tasks["experiment"]].sum() / total
    return pd.Series(profile)[list(PROFILE_COLUMNS)]


def detailed_occupation_scores(detailed: pd.DataFrame, onet_scores: pd.DataFrame) -> pd.DataFrame:
    """Attach occupation-level O*NET scores to the BLS detailed occupations.

    An occupation takes the mean over the O*NET occupations that map to its code. Where none of
    them matched a work-context or Job Zone title, the BLS title itself is tried; what is still
    missing is filled with the employment-weighted mean of the matched occupations of the same
    major group.

    Args:
        detailed: BLS detailed occupations (``occ_code``, ``title``, ``soc_major``,
            ``employment``).
        onet_scores: Output of :func:`load_onet_occupation_scores` with the BLS ``occ_code``
            of each O*NET occupation.

    Returns:
        ``detailed`` with ``dv_rating_beta``, ``verifiability``, ``job_zone`` and the booleans
        ``verifiability_matched`` and ``job_zone_matched``.

    """
    columns = ["dv_rating_beta", "verifiability", "job_zone"]
    by_code = onet_scores.groupby("occ_code")[columns].mean()
    by_title = onet_scores.drop_duplicates("onet_title").set_index("onet_title")[columns]
    out = detailed.copy()
    for column in columns:
        values = out["occ_code"].map(by_code[column])
        values = values.fillna(out["title"].map(by_title[column]))
        out[f"{column}_matched"] = values.notna()
        if column != "dv_rating_beta":
            values = values.fillna(_group_weighted_mean(out, values))
        out[column] = values
    return out


def _group_weighted_mean(detailed: pd.DataFrame, values: pd.Series) -> pd.Series:
    """Employment-weighted mean of ``values`` per major group, broadcast back to the rows."""
    weight = detailed["employment"].where(values.notna(), 0.0)
    sums = (values.fillna(0.0) * weight).groupby(detailed["soc_major"]).transform("sum")
    weights = weight.groupby(detailed["soc_major"]).transform("sum")
    return sums / weights.replace(0.0, np.nan)


def _weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Weighted mean over the rows where ``values`` is known (NaN if none)."""
    known = values.notna()
    total = weights[known].sum()
    return float((values[known] * weights[known]).sum() / total) if total > 0 else float("nan")


def aggregate_major_groups(
    bls: pd.DataFrame, tasks: pd.DataFrame, detailed: pd.DataFrame
) -> pd.DataFrame:
    """Build the 22-row major-group table.

    Args:
        bls: Output of :func:`load_bls`.
        tasks: Output of :func:`task_hour_masses`.
        detailed: Output of :func:`detailed_occupation_scores`, with a boolean ``has_tasks``.

    Returns:
        One row per SOC major group, sorted by code, with the columns ``MAJOR_GROUP_COLUMNS``.

    """
    majors = bls[bls["o_group"] == "major"].sort_values("occ_code")
    rows = []
    for major in majors.itertuples(index=False):
        group = detailed[detailed["soc_major"] == major.soc_major]
        matched = group[group["has_tasks"]]
        profile = task_profile(
            tasks[tasks["occ_code"].isin(matched["occ_code"])],
            matched.set_index("occ_code")["employment"],
        )
        rows.append(
            {
                "soc_major": major.soc_major,
                "title": major.title,
                "employment": int(major.employment),
                "mean_wage_usd_per_hour": major.hourly_wage,
                **profile.to_dict(),
                "verifiability": _weighted_mean(group["verifiability"], group["employment"]),
                "job_zone": _weighted_mean(group["job_zone"], group["employment"]),
                "dv_rating_beta": _weighted_mean(group["dv_rating_beta"], group["employment"]),
                "employment_matched_share": matched["employment"].sum() / group["employment"].sum(),
            }
        )
    return pd.DataFrame(rows)[list(MAJOR_GROUP_COLUMNS)].reset_index(drop=True)


def research_profile(tasks: pd.DataFrame, detailed: pd.DataFrame) -> pd.DataFrame:
    """Build the task profile of AI research.

    AI research is proxied by BLS 15-1221, Computer and Information Research Scientists.

    Args:
        tasks: Output of :func:`task_hour_masses`.
        detailed: Output of :func:`detailed_occupation_scores`.

    Returns:
        A one-row frame with ``occ_code``, ``title``, ``employment``,
        ``mean_wage_usd_per_hour``, the ``PROFILE_COLUMNS``, ``verifiability``, ``job_zone``,
        ``dv_rating_beta`` and ``n_tasks``.

    """
    occ = detailed.set_index("occ_code").loc[AI_RESEARCH_OCC]
    own = tasks[tasks["occ_code"] == AI_RESEARCH_OCC]
    profile = task_profile(own, pd.Series({AI_RESEARCH_OCC: 1.0}))
    row = {
        "occ_code": AI_RESEARCH_OCC,
        "title": occ["title"],
        "employment": int(occ["employment"]),
        "mean_wage_usd_per_hour": occ["hourly_wage"],
        **{c: profile[c] for c in PROFILE_COLUMNS[:6]},
        "verifiability": occ["verifiability"],
        "experiment_share": profile["experiment_share"],
        "job_zone": occ["job_zone"],
        "dv_rating_beta": occ["dv_rating_beta"],
        "n_tasks": len(own),
    }
    return pd.DataFrame([row])


def read_and_join(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                           pd.DataFrame]:
    """Read and check every file and map each O*NET task and occupation to its BLS detailed
    code; the slow keyword flags come last, once every file has passed its checks.

    Args:
        data_dir: Folder with the O*NET/BLS exposure data (see its ``README.md``).

    Returns:
        ``(bls, detailed, tasks, onet_scores)``: all BLS rows, the BLS detailed occupations,
        every task (:func:`load_tasks`) and every O*NET occupation's scores
        (:func:`load_onet_occupation_scores`), the last two with ``occ_code`` (NaN where no
        BLS detailed code matched, see :func:`map_onet_to_bls`).

    """
    data_dir = Path(data_dir)
    bls = load_bls(data_dir)
    detailed = bls[bls["o_group"] == "detailed"].copy()
    codes = set(detailed["occ_code"])
    tasks = load_tasks(data_dir, flags=False)
    tasks["occ_code"] = map_onet_to_bls(tasks["onet_code"], codes)
    onet_scores = load_onet_occupation_scores(data_dir)
    onet_scores["occ_code"] = map_onet_to_bls(onet_scores["onet_code"], codes)
    check_join(data_dir, detailed, tasks, onet_scores)
    return bls, detailed, add_keyword_flags(tasks), onet_scores


def check_join(data_dir: Path, detailed: pd.DataFrame, tasks: pd.DataFrame,
               onet_scores: pd.DataFrame) -> None:
    """Refuse files that do not belong together, or one cut short at a line break.

    The rules (each holds with room to spare in the public data):

    * ``occ_level.csv`` and the task file list the same O*NET occupations (923 in both);
    * the work-context and skills files each know the titles of at least
      ``MIN_TITLES_MATCHED`` of them (95%);
    * occupations with tasks hold at least ``MIN_EMPLOYMENT_MATCHED`` of the BLS detailed
      employment (96.7%).
    """
    data_dir = Path(data_dir)
    both = "allowed: the same O*NET occupations in occ_level.csv and full_labelset.tsv"
    _check_same_codes(data_dir / TASKS_FILE, onet_scores["onet_code"], tasks["onet_code"],
                      f"in occ_level.csv, with no task here (file cut short?); {both}")
    _check_same_codes(data_dir / OCC_LEVEL_FILE, tasks["onet_code"], onet_scores["onet_code"],
                      f"with tasks in full_labelset.tsv, missing here (file cut short?); {both}")
    for name, column in ((WORK_CONTEXT_FILE, "verifiability"), (SKILLS_FILE, "job_zone")):
        matched = float(onet_scores[column].notna().mean())
        if matched < MIN_TITLES_MATCHED:
            raise _problem(data_dir / name, "O*NET occupation titles matched", f"{matched:.1%}",
                           f"too few (file cut short, or another file?); allowed: at least "
                           f"{MIN_TITLES_MATCHED:.0%} of the titles in occ_level.csv")
    employment = detailed["employment"].fillna(0.0)
    with_tasks = detailed["occ_code"].isin(tasks["occ_code"].dropna().unique())
    share = float(employment[with_tasks].sum() / employment.sum()) if employment.sum() else 0.0
    if share < MIN_EMPLOYMENT_MATCHED:
        raise _problem(data_dir / TASKS_FILE, "BLS detailed employment with O*NET tasks",
                       f"{share:.1%}", f"too little (a file cut short, or codes that do not "
                       f"match?); allowed: at least {MIN_EMPLOYMENT_MATCHED:.0%} (the public "
                       "data: 96.7%)")


def _check_same_codes(path: Path, expected: pd.Series, found: pd.Series, allowed: str) -> None:
    """Every code of ``expected`` among ``found``; else an input error naming the first few."""
    missing = sorted(expected[~expected.isin(found.unique())].unique())
    if missing:
        raise _problem(path, f"O*NET-SOC Code ({len(missing)} codes)", missing, allowed)


def build_major_groups(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Build the major-group table and the AI-research task profile from the public data.

    Args:
        data_dir: Folder with the O*NET/BLS exposure data (see its ``README.md``).

    Returns:
        ``(table, research, report)``: the 22-row major-group table, the one-row AI-research
        profile, and a join report (counts and shares, see :func:`format_report`).

    """
    bls, detailed, all_tasks, onet_scores = read_and_join(data_dir)
    tasks = task_hour_masses(all_tasks.dropna(subset=["occ_code"]))

    detailed["has_tasks"] = detailed["occ_code"].isin(tasks["occ_code"])
    _check_groups_have_tasks(Path(data_dir), bls, detailed)
    detailed = detailed_occupation_scores(detailed, onet_scores)

    table = aggregate_major_groups(bls, tasks, detailed)
    research = research_profile(tasks, detailed)
    _check_finite(Path(data_dir), table, "soc_major")
    _check_finite(Path(data_dir), research, "occ_code")
    report = join_report(bls, all_tasks, tasks, onet_scores, detailed)
    return table, research, report


def _check_groups_have_tasks(data_dir: Path, bls: pd.DataFrame, detailed: pd.DataFrame) -> None:
    """Every major group, and the AI-research occupation with its employment and wage, must
    have O*NET tasks: the table is a task profile of each.
    """
    majors = bls.loc[bls["o_group"] == "major", "soc_major"]
    empty = sorted(set(majors) - set(detailed.loc[detailed["has_tasks"], "soc_major"]))
    if empty:
        raise _problem(data_dir / TASKS_FILE, "SOC major groups without tasks", empty,
                       "allowed: tasks for a detailed occupation of every major group")
    research = detailed[(detailed["occ_code"] == AI_RESEARCH_OCC) & detailed["has_tasks"]]
    if research[["employment", "hourly_wage"]].notna().all(axis=1).sum() != 1:
        raise _problem(data_dir / BLS_FILE, "OCC_CODE", AI_RESEARCH_OCC, "missing, without "
                       "tasks, employment or wage; allowed: the AI-research occupation "
                       "(Computer and Information Research Scientists) with all three")


def _check_finite(data_dir: Path, table: pd.DataFrame, key: str) -> None:
    """Every number of a built table finite: a NaN would reach the committed CSV silently."""
    numbers = table.select_dtypes("number")
    bad = ~np.isfinite(numbers.to_numpy(float))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise _problem(data_dir, f"{numbers.columns[column]} of {table[key].iloc[row]}",
                       float(numbers.iat[row, column]), "not computable from the data (no "
                       "matched occupation in the group); allowed: a complete data folder")


def join_report(
    bls: pd.DataFrame,
    all_tasks: pd.DataFrame,
    tasks: pd.DataFrame,
    onet_scores: pd.DataFrame,
    detailed: pd.DataFrame,
) -> dict:
    """Summarise how the files joined.

    Args:
        bls: Output of :func:`load_bls`.
        all_tasks: Every task read, with ``occ_code`` (NaN where it did not join).
        tasks: Tasks that joined a BLS detailed occupation.
        onet_scores: Output of :func:`load_onet_occupation_scores`.
        detailed: Output of :func:`detailed_occupation_scores` with ``has_tasks``.

    Returns:
        A flat dict of counts and shares.

    """
    employment = detailed["employment"].sum()
    exact = set(all_tasks["onet_code"].str[:7])
    return {
        "tasks_read": len(all_tasks),
        "onet_occupations": int(all_tasks["onet_code"].nunique()),
        "tasks_joined": len(tasks),
        "detailed_bls_occupations": len(detailed),
        "detailed_bls_matched": int(detailed["has_tasks"].sum()),
        "detailed_bls_matched_exact": int(detailed["occ_code"].isin(exact).sum()),
        "employment_matched_share_exact": float(
            detailed.loc[detailed["occ_code"].isin(exact), "employment"].sum() / employment
        ),
        "employment_total": float(bls.loc[bls["o_group"] == "total", "employment"].iloc[0]),
        "employment_detailed": float(employment),
        "employment_matched_share": float(
            detailed.loc[detailed["has_tasks"], "employment"].sum() / employment
        ),
        "tasks_physical": int(all_tasks["physical"].sum()),
        "tasks_experiment": int(all_tasks["experiment"].sum()),
        "task_hours_physical_share": float(_mass_share(tasks, detailed, "physical")),
        "task_hours_experiment_share": float(_mass_share(tasks, detailed, "experiment")),
        "work_context_onet_matched": int(onet_scores["verifiability"].notna().sum()),
        "job_zone_onet_matched": int(onet_scores["job_zone"].notna().sum()),
        "work_context_bls_matched": int(detailed["verifiability_matched"].sum()),
        "job_zone_bls_matched": int(detailed["job_zone_matched"].sum()),
        "work_context_employment_matched_share": float(
            detailed.loc[detailed["verifiability_matched"], "employment"].sum() / employment
        ),
    }


def _mass_share(tasks: pd.DataFrame, detailed: pd.DataFrame, flag: str) -> float:
    """Employment-weighted share of all task-hours whose ``flag`` column is True."""
    mass = tasks["time_share"] * tasks["occ_code"].map(detailed.set_index("occ_code")["employment"])
    return mass[tasks[flag]].sum() / mass.sum()


def format_report(report: dict) -> str:
    """Render the join report as readable text.

    Args:
        report: Output of :func:`join_report`.

    Returns:
        A multi-line summary.

    """
    r = report
    lines = [
        f"tasks read:                  {r['tasks_read']:,} "
        f"({r['tasks_joined']:,} joined a BLS detailed occupation)",
        f"O*NET occupations:           {r['onet_occupations']:,}",
        f"detailed BLS occupations:    {r['detailed_bls_matched']} / "
        f"{r['detailed_bls_occupations']} matched O*NET tasks "
        f"({r['detailed_bls_matched_exact']} on the 7-character code, "
        f"{r['detailed_bls_matched'] - r['detailed_bls_matched_exact']} BLS broad codes "
        "on 6 characters)",
        f"employment:                  {r['employment_total'] / 1e6:.2f}M total, "
        f"{r['employment_matched_share']:.1%} in matched occupations "
        f"({r['employment_matched_share_exact']:.1%} on the 7-character code alone)",
        f"tasks flagged physical:      {r['tasks_physical']:,} / {r['tasks_read']:,} "
        f"({r['task_hours_physical_share']:.1%} of employment-weighted task-hours)",
        f"tasks flagged experiment:    {r['tasks_experiment']:,} / {r['tasks_read']:,} "
        f"({r['task_hours_experiment_share']:.1%} of employment-weighted task-hours)",
        f"work-context title matches:  {r['work_context_onet_matched']} / "
        f"{r['onet_occupations']} O*NET occupations; {r['work_context_bls_matched']} / "
        f"{r['detailed_bls_occupations']} BLS occupations "
        f"({r['work_context_employment_matched_share']:.1%} of employment), rest = group mean",
        f"job-zone title matches:      {r['job_zone_onet_matched']} / "
        f"{r['onet_occupations']} O*NET occupations; {r['job_zone_bls_matched']} / "
        f"{r['detailed_bls_occupations']} BLS occupations, rest = group mean",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a CSV atomically, as :func:`sim.files.replacing` does: to a temporary file in
    the same folder, then rename.

    Args:
        frame: Table to write (floats rounded to 4 significant digits).
        path: Destination file.

    """
    with replacing(Path(path)) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False, float_format="%.4g", lineterminator="\n")


class _Parser(argparse.ArgumentParser):
    """Usage errors on one line and exit 2, like every input error of the project."""

    def error(self, message: str):
        """Print the one-line usage error and exit 2."""
        self.exit(2, f"error: {self.prog}: {message}; allowed: see `{self.prog} --help`\n")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the tables, write them, print the join report.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status: 0 done, 2 bad data or an unwritable output (one line per
        problem on stderr).

    """
    parser = _Parser(
        prog="python -m sim.data.build_major_groups",
        description="Rebuild sim/data/major_groups.csv from the O*NET/BLS exposure data.",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="major-group CSV")
    parser.add_argument(
        "--research-out", type=Path, default=DEFAULT_RESEARCH_OUT, help="AI-research CSV"
    )
    args = parser.parse_args(argv)
    code, _ = report_errors(lambda: _build_and_write(args), "a writable output path")
    return code


def report_errors(work, writable: str):
    """Run ``work()``: ``(0, its result)``, or ``(2, None)`` after printing one ``error:``
    line per problem of bad data, or for a file-system error (``writable`` says what is
    allowed instead).
    """
    try:
        return 0, work()
    except SimInputError as exc:
        for problem in exc.problems:
            print(f"error: {problem.render(exc.file)}", file=sys.stderr)
    except OSError as exc:
        print(f"error: {exc.filename or '(file system)'}: {exc.strerror or exc}; allowed: "
              f"{writable}", file=sys.stderr)
    return 2, None


def _build_and_write(args: argparse.Namespace) -> None:
    """Build from ``args.data``, write both CSVs, print the report and the tables."""
    if not args.data.is_dir():
        raise _problem(args.data, "--data", str(args.data), f"not a folder; allowed: "
                       f"{WHERE_FROM.split(', given')[0]}")
    table, research, report = build_major_groups(args.data)
    write_csv_atomic(table, args.out)
    write_csv_atomic(research, args.research_out)

    print(format_report(report))
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(
            f"\nwrote {args.out} ({len(table)} rows, "
            f"{table['employment'].sum() / 1e6:.2f}M employed)"
        )
        print(table.drop(columns="title").round(3).to_string(index=False))
        print(f"\nwrote {args.research_out}")
        print(research.T.to_string(header=False))


if __name__ == "__main__":
    sys.exit(main())
