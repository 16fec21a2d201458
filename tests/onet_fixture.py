"""A tiny, synthetic O*NET x BLS folder in the layout of the public data (no real rows copied).

It holds one of each case the detailed loader must handle: exact and broad-code joins, an O*NET
code with no BLS occupation, a BLS occupation with no tasks, one with no wage, a top-coded wage.
It also passes the loader's consistency rules as the public data does: the BLS detailed rows
add up to their major groups and those to the total, occ_level.csv and the task file list the
same O*NET occupations, and the title-keyed files know most titles.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

BLS = pd.DataFrame(
    [
        ("00-0000", "All Occupations", "total", "1,600", "40.00", "83,200"),
        ("15-0000", "Computer and Mathematical Occupations", "major", "500", "60.00", "124,800"),
        ("15-1252", "Software Developers", "detailed", "500", "60.00", "124,800"),
        ("29-0000", "Healthcare Practitioners", "major", "100", "#", "#"),
        ("29-1248", "Surgeons, Except Ophthalmologists", "detailed", "100", "#", "#"),
        ("31-0000", "Healthcare Support Occupations", "major", "200", "15.00", "31,200"),
        ("31-1120", "Home Health and Personal Care Aides", "detailed", "200", "15.00", "31,200"),
        ("41-0000", "Sales and Related Occupations", "major", "100", "*", "*"),
        ("41-9012", "Models", "detailed", "100", "*", "*"),
        ("47-0000", "Construction and Extraction Occupations", "major", "700", "30.00", "62,400"),
        ("47-2111", "Electricians", "detailed", "600", "30.00", "62,400"),
        ("47-2999", "Construction Workers, All Other", "detailed", "100", "25.00", "52,000"),
    ],
    columns=["OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "H_MEAN", "A_MEAN"],
)

TASKS = pd.DataFrame(
    [
        ("15-1252.00", "Software Developers", "Write computer programs to specification.",
         "Core", "E1", 0.75),
        ("15-1252.00", "Software Developers", "Modify existing software to correct errors.",
         "Core", "E2", 0.5),
        ("15-1252.00", "Software Developers", "Confer with users to learn their needs.",
         "Supplemental", "E0", 0.25),
        ("29-1248.00", "Surgeons, Except Ophthalmologists", "Perform surgery on patients.",
         "Core", "E0", 0.0),
        ("29-1248.00", "Surgeons, Except Ophthalmologists", "Write reports of operations.",
         "Core", "E1", 0.5),
        ("31-1121.00", "Home Health Aides", "Bathe patients and change their bed linens.",
         "Core", "E0", 0.0),
        ("31-1122.00", "Personal Care Aides", "Keep records of client progress.",
         None, "E2", 0.25),
        ("41-9012.00", "Models", "Pose for photographs.", "Core", "E0", 0.0),
        ("47-2111.00", "Electricians", "Install electrical wiring and fixtures.", "Core", "E0",
         0.0),
        ("47-2111.00", "Electricians", "Prepare cost estimates for jobs.", "Supplemental",
         "E1", 0.5),
        ("99-9999.00", "Unlisted Occupation", "Review documents.", "Core", "E1", 0.5),
    ],
    columns=["O*NET-SOC Code", "Title", "Task", "Task Type", "gpt4_exposure", "automation"],
)

OCC_LEVEL = pd.DataFrame(
    [
        ("15-1252.00", "Software Developers", 0.8),
        ("29-1248.00", "Surgeons, Except Ophthalmologists", 0.3),
        ("31-1121.00", "Home Health Aides", 0.1),
        ("31-1122.00", "Personal Care Aides", 0.3),
        ("41-9012.00", "Models", 0.0),
        ("47-2111.00", "Electricians", 0.2),
        ("99-9999.00", "Unlisted Occupation", 0.5),
    ],
    columns=["O*NET-SOC Code", "Title", "dv_rating_beta"],
)

CONTEXTS = pd.DataFrame(
    [
        ("Software Developers", 0.7, 0.9),
        ("Surgeons, Except Ophthalmologists", 0.5, 1.0),
        ("Electricians", 0.6, 0.9),
        ("Models", 0.4, 0.6),
    ],
    columns=["occupation", "structured_versus_unstructured_work_context",
             "importance_of_being_exact_or_accurate_context"],
)

SKILLS = pd.DataFrame(
    [("Software Developers", 4), ("Surgeons, Except Ophthalmologists", 5),
     ("Home Health Aides", 2), ("Electricians", 3)],
    columns=["Occupation", "Job Zone"],
)


def write_fixture(folder: Path) -> Path:
    """Write the synthetic folder; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    BLS.to_csv(folder / "national_May2021_dl.csv", index=False, encoding="utf-8-sig")
    tasks = TASKS.copy()
    tasks.insert(1, "Task ID", range(1, len(tasks) + 1))
    tasks.to_csv(folder / "full_labelset.tsv", sep="\t")
    OCC_LEVEL.to_csv(folder / "occ_level.csv", index=False)
    CONTEXTS.to_csv(folder / "occupations_onet_work_contexts.csv", index=False)
    SKILLS.to_csv(folder / "occupations_onet_basic_skills.csv", index=False)
    return folder
