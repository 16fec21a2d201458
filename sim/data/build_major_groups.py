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
import os
import re
import sys
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

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
# Loading
# --------------------------------------------------------------------------------------------


#: Columns each file must have (the rest are ignored).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    TASKS_FILE: ("O*NET-SOC Code", "Task", "Task Type", "Title", "gpt4_exposure", "automation"),
    OCC_LEVEL_FILE: ("O*NET-SOC Code", "Title", "dv_rating_beta"),
    BLS_FILE: ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN"),
    WORK_CONTEXT_FILE: ("occupation", "structured_versus_unstructured_work_context",
                        "importance_of_being_exact_or_accurate_context"),
    SKILLS_FILE: ("Occupation", "Job Zone"),
}

#: BLS markers: ``*`` and ``**`` = not published; ``#`` = top-coded (>= $100/h, >= $208,000/yr),
#: which is taken at the top code.
BLS_MISSING = ("*", "**")
BLS_TOP_CODE = {"H_MEAN": 100.0, "A_MEAN": 208_000.0}

#: GPT-4 automation ratings T0-T4 as the data encodes them (0 = none ... 1 = full automation).
AUTOMATION_SCORES = (0.0, 0.25, 0.5, 0.75, 1.0)

WHERE_FROM = ("the O*NET x BLS exposure folder (see its README), given by --data, "
              "occupations.data_dir or SIM_ONET_DATA")


def _problem(path: Path, field: str, value, allowed: str):
    from sim.errors import OccupationTableError, Problem

    return OccupationTableError(str(path), [Problem(field, value, allowed)])


def read_data_file(data_dir: Path, name: str, **read_csv) -> pd.DataFrame:
    """Read one file of the data folder; a missing file or column is an input error.

    Args:
        data_dir: The data folder.
        name: File name (one of ``REQUIRED_COLUMNS``).
        **read_csv: Passed to :func:`pandas.read_csv`.

    Returns:
        The file as read.

    """
    path = Path(data_dir) / name
    if not path.is_file():
        raise _problem(path, "(file)", str(path), f"file not found; allowed: {WHERE_FROM}")
    try:
        frame = pd.read_csv(path, **read_csv)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise _problem(path, "(file)", str(exc).splitlines()[0][:80],
                       "allowed: a readable CSV/TSV file") from None
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
    if missing:
        raise _problem(path, "columns", missing,
                       f"missing column(s); allowed: a file with {list(REQUIRED_COLUMNS[name])}")
    return frame


def _to_number(values: pd.Series, path: Path | None = None, column: str = "") -> pd.Series:
    """Parse BLS numbers: drop thousands separators; ``*``/``**`` become NaN, ``#`` the top code.

    Anything else that is not a number is an input error naming the row (when ``path`` is given).
    """
    cleaned = values.astype("string").str.replace(",", "", regex=False).str.strip()
    numbers = pd.to_numeric(cleaned, errors="coerce").astype(float)
    missing = cleaned.isin(BLS_MISSING) | cleaned.isna() | (cleaned == "")
    numbers = numbers.mask(cleaned == "#", BLS_TOP_CODE.get(column, np.nan))
    bad = numbers.isna() & ~missing & (cleaned != "#")
    if path is not None and bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _problem(path, f"{column} (row {i + 2})", str(values.iloc[i]),
                       "unparseable number; allowed: a number (thousands separators allowed), "
                       "or the BLS markers *, **, #")
    return numbers


def load_bls(data_dir: Path) -> pd.DataFrame:
    """Load the BLS OEWS May 2021 national estimates.

    Args:
        data_dir: Folder holding ``national_May2021_dl.csv``.

    Returns:
        One row per occupation code with ``occ_code``, ``title``, ``o_group``, ``employment``,
        ``hourly_wage`` (``H_MEAN``, or ``A_MEAN / 2080`` where only the annual mean is
        published), ``wage_top_coded`` and ``soc_major``.

    """
    path = Path(data_dir) / BLS_FILE
    raw = read_data_file(data_dir, BLS_FILE, encoding="utf-8-sig", dtype=str,
                         keep_default_na=False)
    hourly = _to_number(raw["H_MEAN"], path, "H_MEAN")
    annual = _to_number(raw["A_MEAN"], path, "A_MEAN")
    return pd.DataFrame(
        {
            "occ_code": raw["OCC_CODE"].astype(str).str.strip(),
            "title": raw["OCC_TITLE"],
            "o_group": raw["O_GROUP"],
            "employment": _to_number(raw["TOT_EMP"], path, "TOT_EMP"),
            "hourly_wage": hourly.fillna(annual / HOURS_PER_YEAR),
            "wage_top_coded": (raw["H_MEAN"].str.strip() == "#")
            | (hourly.isna() & (raw["A_MEAN"].str.strip() == "#")),
            "soc_major": raw["OCC_CODE"].astype(str).str.strip().str[:2],
        }
    )


def load_tasks(data_dir: Path) -> pd.DataFrame:
    """Load the O*NET task statements with their GPT-4 labels and keyword flags.

    Args:
        data_dir: Folder holding ``full_labelset.tsv``.

    Returns:
        One row per task with ``onet_code``, ``onet_title``, ``task``, ``exposure``,
        ``automation`` (the GPT-4 T0-T4 rating as 0-1), ``core`` (task type), ``weight``
        (relative task-hours before normalisation), ``physical`` and ``experiment``.

    """
    path = Path(data_dir) / TASKS_FILE
    raw = read_data_file(data_dir, TASKS_FILE, sep="\t", index_col=0)
    tasks = pd.DataFrame(
        {
            "onet_code": raw["O*NET-SOC Code"].astype(str).str.strip(),
            "onet_title": raw["Title"],
            "task": raw["Task"].astype(str),
            "exposure": raw["gpt4_exposure"],
            "automation": pd.to_numeric(raw["automation"], errors="coerce"),
        }
    )
    _check_labels(path, tasks["exposure"], "gpt4_exposure", EXPOSURE_CLASSES)
    _check_labels(path, tasks["automation"], "automation", AUTOMATION_SCORES,
                  raw=raw["automation"])
    types = raw["Task Type"]
    _check_labels(path, types.dropna(), "Task Type", tuple(TASK_TYPE_WEIGHTS))
    tasks["core"] = types.fillna("Core") == "Core"
    tasks["weight"] = types.map(TASK_TYPE_WEIGHTS).fillna(MISSING_TASK_TYPE_WEIGHT).astype(float)
    tasks["physical"] = tasks["task"].map(is_physical)
    tasks["experiment"] = tasks["task"].map(needs_experiments)
    return tasks


def _check_labels(path: Path, values: pd.Series, column: str, allowed: tuple, raw=None) -> None:
    """Every value must be one of ``allowed``; else an input error naming the first bad row."""
    bad = ~values.isin(allowed)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        shown = (raw if raw is not None else values).iloc[i]
        raise _problem(path, f"{column} (row {i + 2})", str(shown),
                       f"allowed: one of {list(allowed)}")


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
    occ = read_data_file(data_dir, OCC_LEVEL_FILE)
    contexts = read_data_file(data_dir, WORK_CONTEXT_FILE)
    context_columns = list(REQUIRED_COLUMNS[WORK_CONTEXT_FILE][1:])
    for column in context_columns:
        contexts[column] = _scores(contexts[column], Path(data_dir) / WORK_CONTEXT_FILE, column,
                                   0.0, 1.0)
    contexts["verifiability"] = contexts[context_columns].mean(axis=1)
    skills = read_data_file(data_dir, SKILLS_FILE)
    skills["Job Zone"] = _scores(skills["Job Zone"], Path(data_dir) / SKILLS_FILE, "Job Zone",
                                 1.0, 5.0)
    scores = pd.DataFrame(
        {
            "onet_code": occ["O*NET-SOC Code"].astype(str).str.strip(),
            "onet_title": occ["Title"],
            "dv_rating_beta": _scores(occ["dv_rating_beta"], Path(data_dir) / OCC_LEVEL_FILE,
                                      "dv_rating_beta", 0.0, 1.0),
        }
    )
    scores["verifiability"] = scores["onet_title"].map(
        contexts.drop_duplicates("occupation").set_index("occupation")["verifiability"]
    )
    scores["job_zone"] = (
        scores["onet_title"]
        .map(skills.drop_duplicates("Occupation").set_index("Occupation")["Job Zone"])
        .astype(float)
    )
    return scores


def _scores(values: pd.Series, path: Path, column: str, low: float, high: float) -> pd.Series:
    """A score column: blank is NaN (unknown); a non-number or one out of range is an error."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()) | (numbers < low) | (numbers > high)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise _problem(path, f"{column} (row {i + 2})", str(values.iloc[i]),
                       f"allowed: a number in [{low:g}, {high:g}] or blank")
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
    if own.empty:
        raise ValueError(f"no O*NET tasks for {AI_RESEARCH_OCC}")
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
    """Read every file and map each O*NET task and occupation to its BLS detailed code.

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
    tasks = load_tasks(data_dir)
    tasks["occ_code"] = map_onet_to_bls(tasks["onet_code"], codes)
    onet_scores = load_onet_occupation_scores(data_dir)
    onet_scores["occ_code"] = map_onet_to_bls(onet_scores["onet_code"], codes)
    return bls, detailed, tasks, onet_scores


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
    detailed = detailed_occupation_scores(detailed, onet_scores)

    table = aggregate_major_groups(bls, tasks, detailed)
    research = research_profile(tasks, detailed)
    report = join_report(bls, all_tasks, tasks, onet_scores, detailed)
    return table, research, report


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
    """Write a CSV atomically: to a temporary file in the same folder, then rename.

    Args:
        frame: Table to write (floats rounded to 4 significant digits).
        path: Destination file.

    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name in the destination folder (so os.replace is an atomic rename), created with
    # the usual permissions rather than mkstemp's owner-only 0600.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as handle:
            frame.to_csv(handle, index=False, float_format="%.4g", lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the tables, write them, print the join report.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Process exit status.

    """
    parser = argparse.ArgumentParser(
        prog="python -m sim.data.build_major_groups",
        description="Rebuild sim/data/major_groups.csv from the O*NET/BLS exposure data.",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="major-group CSV")
    parser.add_argument(
        "--research-out", type=Path, default=DEFAULT_RESEARCH_OUT, help="AI-research CSV"
    )
    args = parser.parse_args(argv)
    if not (args.data / TASKS_FILE).is_file():
        print(f"error: {args.data / TASKS_FILE} not found", file=sys.stderr)
        return 1

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
