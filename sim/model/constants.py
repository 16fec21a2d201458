"""Physical and accounting constants shared by the mechanisms.

Every constant carries its unit in a ``#:`` comment and its source. Parameters a user may want
to vary live in :mod:`sim.config.schema`, not here.
"""

#: h per calendar year (365.25 d x 24 h). Steinhardt's "years of work" count continuous time. [000]
HOURS_PER_CALENDAR_YEAR = 8766.0

#: s per calendar year.
SECONDS_PER_YEAR = HOURS_PER_CALENDAR_YEAR * 3600.0

#: d per calendar year.
DAYS_PER_YEAR = 365.25

#: h per full-time work-year (BLS convention for annual from hourly wages is 2,080; ~2,000 used
#: in SEED_FACTS "outside facts").
WORK_HOURS_PER_YEAR = 2000.0

#: FLOP per parameter per token for a forward pass (2N rule). Kaplan et al. 2020.
FORWARD_FLOP_PER_PARAM = 2.0

#: FLOP per parameter per training token (6ND rule). Kaplan et al. 2020; Hoffmann et al. 2022.
TRAINING_FLOP_PER_PARAM_TOKEN = 6.0
