"""The model's parameters: a typed, frozen, validated schema with units and sources.

Every field's description reads ``[unit] meaning. Source: ...``; ``sim params`` prints them as a
table and ``configs/default.yaml`` mirrors the defaults. Ranges (``ge``/``le``) are the documented
ranges a user may set, and the ranges over which the model stays finite: every range is closed,
and a quantity that must be positive starts at the smallest value that still means something (a
1 GFLOP/s chip, one researcher, a 0.1-year adoption lag) rather than at "> 0", which admits
1e-300, where divisions overflow. ``tests/test_parameter_edges.py`` runs every parameter at both
ends of its range, alone and together, and checks every output stays finite.

Sources are cited by the seed article they come from (``[000]`` ... ``[004]``, see the README) or
by a named public estimate. Values marked "assumption" are the authors' judgement, kept round on
purpose: the band of plausible values is wide and the sweep tools exist to explore it.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.errors import short_repr


def P(default, unit: str, source: str, **bounds):  # noqa: N802 - a short name keeps the schema legible
    """Declare a parameter with its unit, source and allowed range."""
    return Field(default, description=f"[{unit}] {source}", **bounds)


class Section(BaseModel):
    """Base for every config section: frozen, no unknown keys, no NaN."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_no(cls, value):
        """YAML 1.1 reads ``yes``/``no``/``on``/``off``/``true`` as booleans, which pydantic
        would quietly turn into 1 or 0; no field of the schema is a yes/no value.
        """
        if isinstance(value, bool) or (isinstance(value, (list, tuple))
                                       and any(isinstance(x, bool) for x in value)):
            raise ValueError("a yes/no value (YAML reads yes/no/on/off/true/false as "
                             "a boolean); allowed: a number or a name, as `sim params` lists")
        return value


class TimeConfig(Section):
    """The stepped timeline."""

    start_year: float = P(2023.0, "calendar year", "Start: January 2023, the GPT-4 era [000].",
                          ge=2020, le=2040)
    end_year: int = P(2050, "calendar year", "Last simulated year (inclusive, through December).",
                      ge=2021, le=2100)
    steps_per_year: int = P(12, "steps/yr", "Monthly by default (DESIGN section 2).", ge=1, le=52)

    @model_validator(mode="after")
    def _start_before_end(self):
        if self.end_year < self.start_year:
            raise ValueError(
                f"end_year ({self.end_year}) is before start_year ({self.start_year}); "
                "allowed: end_year >= start_year"
            )
        return self

    @property
    def n_steps(self) -> int:
        """Number of steps from the start to the end of ``end_year``."""
        return int(round((self.end_year + 1 - self.start_year) * self.steps_per_year))


class VendorConfig(Section):
    """One GPU vendor (a chip designer with its foundry capacity)."""

    name: str
    initial_capacity_chips_per_month: float = P(
        1.0e5, "chips/month", "Shipments of H100-class accelerators in 2023 were ~1.5M/yr "
        "(public estimates of NVIDIA data-centre GPU shipments).", ge=1, le=1e9)
    initial_chip_flop_per_s: float = P(
        1.0e15, "FLOP/s per chip", "H100 SXM dense BF16 ~1e15 FLOP/s (SEED_FACTS outside facts).",
        ge=1e9, le=1e20)
    initial_chip_cost_usd: float = P(
        2.0e4, "USD per chip", "Unit cost before margin; H100 sold for $25-40K in 2023-24 "
        "(SEED_FACTS) at a ~40% gross margin (assumption).", ge=1, le=1e7)
    chip_power_kw: float = P(1.0, "kW per chip", "H100 ~700 W plus cooling/overhead (PUE ~1.4).",
                             ge=1e-3, le=100)
    markup: float = P(0.5, "fraction of cost", "Price = cost x (1 + markup) when supply is "
                      "ample (assumption).", ge=0, le=10)
    generation_interval_years: float = P(2.0, "yr", "A new generation every ~2 years "
                                         "(DESIGN section 2; [003]).", ge=0.5, le=10)
    first_generation_year: float = P(2024.5, "calendar year", "Next generation after H100 "
                                     "(B200-class shipping mid-2024/25).", ge=2000, le=2100)
    capacity_lead_time_months: int = P(18, "months", "Fab/packaging capacity arrives after a "
                                       "lead time (assumption; CoWoS expansions took 1-2 years).",
                                       ge=1, le=120)
    capacity_reinvest_share: float = P(0.3, "fraction of revenue", "Share of revenue invested "
                                       "in new capacity (assumption).", ge=0, le=1)
    capacity_cost_usd_per_chip_month: float = P(
        3.0e5, "USD per (chip/month) of capacity", "Capital cost of one chip/month of sustained "
        "output (assumption; sets capacity growth of ~40%/yr at 2023 revenue).", ge=1, le=1e10)
    max_capacity_growth_per_yr: float = P(
        10.0, "fraction/yr", "Cap on capacity growth (the chip-shortage scenario lowers it).",
        ge=0, le=100)


class HardwareConfig(Section):
    """Chip generations, depreciation and power."""

    vendors: list[VendorConfig] = Field(
        default_factory=lambda: [
            VendorConfig(name="leader"),
            VendorConfig(name="challenger", initial_capacity_chips_per_month=3.0e4,
                         initial_chip_flop_per_s=6.0e14, initial_chip_cost_usd=1.2e4,
                         first_generation_year=2025.5),
        ],
        description="GPU vendors (at least one).",
    )
    flop_gain_per_generation: float = P(
        2.5, "x per generation", "Chips improve 2-3x per generation [003].", ge=1, le=10)
    price_performance_oom_per_yr: float = P(
        0.24, "OOM/yr", "New chips' FLOP/s per USD in 2023: 26x over 2016-2022 [004] = 0.24 "
        "OOM/yr; band 0.15-0.3 (DESIGN section 3). Later rates follow hardware research "
        "input; each generation's price follows the level reached at its release.",
        ge=0.0, le=1.0)
    hardware_returns: float = P(
        5.2, "dimensionless", "Returns to hardware research: doublings of FLOP/s per USD per "
        "doubling of cumulative research input (Davidson 2023 best guess 5.2; aggressive 7, "
        "conservative 3).", ge=0.05, le=20)
    human_researchers: float = P(
        2.0e5, "researchers", "Chip design and process R&D staff worldwide (assumption: the "
        "largest chip firms employ ~10,000-40,000 engineers in R&D each).", ge=1, le=1e8)
    research_growth_per_yr: float = P(
        0.08, "1/yr (log growth)", "Growth of human hardware research input (semiconductor "
        "R&D spending grew ~8%/yr in 2012-2022, SIA; assumption for staff).", ge=-0.5, le=2)
    ai_research_share: float = P(
        0.2, "fraction of AI research labour", "Share of the labs' AI researchers that work on "
        "hardware (Davidson 2023 best guess: up to 20% of compute on hardware R&D).", ge=0,
        le=1)
    max_price_performance_oom: float = P(
        9.0, "OOM above 2023", "Hardware ceiling: returns fall linearly to zero as FLOP/s per "
        "USD approaches it (Davidson 2023 best guess 1e26 FLOP/s per $ from ~1.5e17 in 2022, "
        "~8.8 OOM).", ge=0.1, le=30)
    depreciation_life_years: float = P(
        4.0, "yr", "Installed compute depreciates over ~4 years (DESIGN section 3).",
        ge=0.5, le=20)
    datacenter_cost_multiplier: float = P(
        2.0, "x chip spending", "All-in AI data-centre capex per USD of accelerators: chips "
        "are roughly half of it (assumption from public hyperscaler capex breakdowns).",
        ge=1, le=10)
    utilization: float = P(0.4, "fraction", "Achieved/peak FLOP (model FLOP utilisation), "
                           "~35-40% for GPT-4-era training (public estimates).", ge=0.01, le=1)
    electricity_usd_per_kwh: float = P(0.08, "USD/kWh", "US industrial electricity price, "
                                       "~$0.08/kWh (EIA 2023).", ge=0, le=10)
    initial_power_cap_gw: float = P(
        10.0, "GW", "Power available to AI data centres at the start (assumption: a few "
        "percent of US average load of ~480 GW).", ge=1e-3, le=1e5)
    power_cap_growth_per_yr: float = P(0.3, "fraction/yr", "Growth of that cap (assumption).",
                                       ge=0, le=10)
    max_power_cap_gw: float = P(
        100.0, "GW", "Ceiling: ~20% of US electricity [001].", ge=1e-3, le=1e6)


class LabConfig(Section):
    """One AI lab. Frontier labs train their own models; the open-weights lab copies the
    frontier with a lag and prices at cost.
    """

    name: str
    kind: Literal["frontier", "open_weights"] = "frontier"
    initial_compute_flop_per_s: float = P(
        2.5e20, "FLOP/s (peak)", "Installed accelerators at the start (assumption: ~250k "
        "H100-equivalents for a leading lab with its cloud partner, Jan 2023; the four "
        "default labs hold ~7e20, which 2023's ~$40B of AI capex grows ~2x/yr [004]).",
        ge=1e12, le=1e30)
    initial_cash_usd: float = P(1.0e10, "USD", "Cash at the start (assumption).", ge=0, le=1e15)
    initial_investor_usd_per_yr: float = P(
        1.2e10, "USD/yr", "Investor (or parent-company) money at the start (assumption; "
        "Microsoft's 2023 commitment to OpenAI was ~$10B).", ge=0, le=1e15)
    human_researchers: float = P(1500.0, "researchers", "Research staff (assumption).",
                                 ge=1, le=1e7)
    researcher_cost_usd_per_yr: float = P(5.0e5, "USD/yr per researcher", "Fully loaded cost "
                                          "(assumption).", ge=0, le=1e8)
    initial_training_share: float = P(
        0.05, "fraction of compute", "Share of the lab's compute in its largest training run at "
        "the start: GPT-4 used ~25k A100s of a far larger fleet (assumption).", ge=0, le=1)
    max_training_share: float = P(
        0.3, "fraction of compute", "Ceiling of that share (assumption).", ge=0, le=1)
    training_share_growth_per_yr: float = P(
        0.4, "1/yr (log growth)", "Labs devote ever larger shares to the frontier run; with "
        "~2x/yr compute this gives 0.5-0.6 OOM/yr of frontier training growth [001].",
        ge=0, le=5)
    research_share: float = P(0.2, "fraction of compute", "Compute for research experiments "
                              "(assumption); inference gets the rest.", ge=0, le=1)
    initial_model_effective_flop: float = P(
        2.0e25, "effective FLOP (2023 algorithms)", "GPT-4: ~2e25 FLOP (Epoch AI).",
        ge=1e15, le=1e45)
    initial_run_progress_months: float = P(
        0.0, "months", "How far into its current training run the lab is at the start "
        "(staggers releases).", ge=0, le=120)

    @model_validator(mode="after")
    def _shares(self):
        if self.initial_training_share > self.max_training_share:
            raise ValueError(
                f"initial_training_share ({self.initial_training_share:g}) > "
                f"max_training_share ({self.max_training_share:g}); allowed: initial <= max")
        if self.max_training_share + self.research_share > 1.0 + 1e-12:
            raise ValueError(
                f"max_training_share + research_share = "
                f"{self.max_training_share + self.research_share:g}; allowed: <= 1 "
                "(the rest is inference)")
        return self


def _default_labs() -> list[LabConfig]:
    return [
        LabConfig(name="frontier_a"),
        LabConfig(name="frontier_b", human_researchers=2500,
                  initial_model_effective_flop=1.0e25, initial_run_progress_months=2.0),
        LabConfig(name="frontier_c", initial_compute_flop_per_s=2.0e19, initial_cash_usd=1.0e9,
                  initial_investor_usd_per_yr=1.5e9, human_researchers=300,
                  initial_model_effective_flop=3.0e24, initial_run_progress_months=4.0),
        LabConfig(name="open_weights", kind="open_weights", initial_compute_flop_per_s=1.8e20,
                  initial_investor_usd_per_yr=8.0e9, human_researchers=1000,
                  initial_model_effective_flop=1.0e23),
    ]


class CapitalConfig(Section):
    """How labs raise money: the revenue flywheel plus investors, capped by world GDP."""

    investor_growth_per_yr: float = P(
        0.3, "1/yr (log growth)", "Trend growth of investor money before the wake-up: global "
        "compute grew 20-40%/yr before ChatGPT [004] (Davidson 2023: 19%/yr of GWP share).",
        ge=-1, le=5)
    wakeup_growth_per_yr: float = P(
        0.5, "1/yr (log growth)", "Its growth once AI visibly earns money or automates work: "
        "~0.5/yr (1.65x/yr) reproduces $200B-1.5T of capex in 2027 [001]; compute roughly "
        "doubled per year after ChatGPT [004]; 'every six months a zero is added to the "
        "plans' [001] is the upper end.", ge=-1, le=5)
    wakeup_revenue_usd_per_yr: float = P(
        1.0e10, "USD/yr (world AI revenue)", "Investors wake up when AI revenue passes this "
        "(assumption: ~2024, when AI revenue passed ~$10B/yr and hyperscaler capex doubled). "
        "inf: never on revenue.", ge=1e6, allow_inf_nan=True)
    wakeup_automated_share: float = P(
        0.06, "fraction of wage-weighted work", "... or when AI does this share of work (Davidson "
        "2023 best guess: 6% of tasks automated).", ge=0, le=1)
    revenue_growth_sensitivity: float = P(
        0.5, "dimensionless", "How much investor-money growth follows revenue growth above or "
        "below trend (assumption).", ge=0, le=5)
    revenue_growth_smoothing_years: float = P(1.0, "yr", "Investors look at ~1 year of revenue "
                                              "growth (assumption).", ge=0.01, le=10)
    cash_drawdown_per_yr: float = P(0.5, "1/yr", "Share of cash on hand spent on compute per "
                                    "year, on top of the inflow (assumption).", ge=0, le=12)
    max_ai_spend_share_of_gdp: float = P(
        0.05, "fraction of world output", "Cap on total AI investment (assumption; $1T/yr by "
        "2027 [001] is ~1% of GDP); world output is the model's (economy.*).", ge=1e-4, le=1)
    trend_output_growth_per_yr: float = P(
        0.018, "1/yr", "Output growth already inside the investment trends above: the model's "
        "own growth without AI progress (1.8%/yr, scenario no_ai_progress). Output growing "
        "faster raises investors' money as much (Davidson 2023: compute spending is a share "
        "of output).", ge=-0.1, le=0.2)
    revenue_reinvested_share: float = P(
        1.0, "fraction of revenue", "Share of a lab's revenue it plans to spend on compute (the "
        "revenue flywheel; frontier labs spent more than their revenue in 2023-2025). The rest, "
        "beyond staff costs and the cash buffer, goes to owners.", ge=0, le=1)
    cash_buffer_years: float = P(
        1.0, "yr of spending", "Cash a lab keeps, in years of its current spending; cash above "
        "it is paid out to its owners (assumption; frontier labs held roughly a year of burn "
        "in 2023-2024).", ge=0, le=20)
    investment_noise_sd: float = P(0.15, "log-units per year", "Year-to-year funding shocks "
                                   "(assumption).", ge=0, le=2)

    @field_validator("wakeup_revenue_usd_per_yr")
    @classmethod
    def _not_nan(cls, v: float) -> float:
        if math.isnan(v):
            raise ValueError("must be a number or inf, not NaN")
        return v


class TrainingConfig(Section):
    """Training runs and model sizing."""

    run_months: float = P(
        6.0, "months", "Length of a frontier training run (GPT-4 took ~3 months [001]; runs "
        "have lengthened since).", ge=1, le=120)
    max_run_years: float = P(
        3.0, "yr", "A run longer than this is impractical ('a $10B run needs ~3 years') [003]",
        ge=0.1, le=20)
    chinchilla_tokens_per_param: float = P(20.0, "tokens/parameter", "Chinchilla-optimal "
                                           "D ~ 20N (Hoffmann et al. 2022).", ge=0.1, le=1e5)
    overtrain_elasticity: float = P(
        0.5, "dimensionless", "Tokens per parameter rise with the inference/training compute "
        "ratio: inference-heavy labs train smaller models longer [002] (assumption).",
        ge=0, le=5)
    max_training_flop: float = Field(
        math.inf, allow_inf_nan=True, ge=1e15,
        description="[physical FLOP] Cap on one run's compute (the pause scenario sets it); "
        "inf = no cap.")

    @field_validator("max_training_flop")
    @classmethod
    def _not_nan(cls, v: float) -> float:
        if math.isnan(v):
            raise ValueError("must be a number or inf, not NaN")
        return v

    @model_validator(mode="after")
    def _run_bound(self):
        if self.run_months > 12 * self.max_run_years:
            raise ValueError(
                f"run_months ({self.run_months:g}) exceeds max_run_years x 12 "
                f"({12 * self.max_run_years:g}); allowed: run_months <= 12 x max_run_years [003]"
            )
        return self


class AlgorithmsConfig(Section):
    """Algorithmic efficiency, unhobbling and inference efficiency."""

    base_efficiency_oom_per_yr: float = P(
        0.4, "OOM/yr", "Software progress in 2023, at 2023 research inputs: ~0.5 OOM/yr "
        "[001], 47%/yr cheaper training [004] (0.28 OOM/yr); band 0.3-0.5. Later rates follow "
        "research input (see `research`).", ge=0, le=1.5)
    software_returns: float = P(
        1.25, "dimensionless", "Returns to software research r: each doubling of cumulative "
        "research input doubles software r times (Davidson 2023 best guess 1.25; aggressive "
        "5, conservative 0.8). Above 1 with AI researchers, progress can explode.", ge=0.05,
        le=10)
    max_efficiency_oom: float = P(
        12.0, "OOM above 2023 algorithms", "Software ceiling: returns fall linearly to zero as "
        "software approaches it (Davidson 2023 best guess 1e12; aggressive 1e16, "
        "conservative 1e8).", ge=0.1, le=40)
    runtime_efficiency_share: float = P(
        0.3, "fraction", "Share of software progress that also cuts the compute a human-"
        "equivalent worker needs at run time (Davidson's model applies all of it; "
        "assumption): better algorithms make more AI workers per FLOP.", ge=0, le=1)
    efficiency_noise_sd: float = P(0.05, "OOM per year", "Year-to-year noise in algorithmic "
                                   "progress (assumption).", ge=0, le=1)
    spillover_per_yr: float = P(1.0, "1/yr", "Rate at which a lab closes its efficiency gap to "
                                "the best lab (papers, staff moves; assumption).", ge=0, le=12)
    unhobbling_oom_per_yr: float = P(
        0.3, "OOM/yr", "RLHF, chain of thought, tools, agents: GPT-2 -> GPT-4 had ~2 OOM of "
        "unhobbling over ~4 years [001].", ge=0, le=3)
    max_unhobbling_oom: float = P(2.0, "OOM", "Further unhobbling available after GPT-4 "
                                  "(assumption, of the order of [001]'s past gains).", ge=0, le=10)
    inference_efficiency_oom_per_yr: float = P(
        0.15, "OOM/yr", "Fall in FLOP per token at fixed parameters from serving alone "
        "(8- then 4-bit weights, speculative decoding, batching; assumption). [001]'s 3 OOM "
        "in 2 years on MATH mixes in capability gains, which here are software progress.",
        ge=0, le=3)
    max_inference_efficiency_oom: float = P(
        1.0, "OOM", "Ceiling on those serving gains: ~10x (4x from 4-bit weights, 2-3x from "
        "speculative decoding; assumption).", ge=0, le=10)


class CopiesConfig(Section):
    """Steinhardt's copy arithmetic [000]."""

    human_words_per_minute: float = P(380.0, "words/min", "Human thinking speed [000].",
                                      ge=1, le=1e5)
    tokens_per_word: float = P(1.33, "tokens/word", "[000]", ge=0.1, le=10)
    initial_serial_speed: float = P(1.0, "x human", "GPT-4 ran at ~370 wpm in April 2023 "
                                    "[000].", ge=0.01, le=1e3)
    serial_speed_oom_per_yr: float = P(
        0.1, "OOM/yr", "Reaches Steinhardt's GPT-2030 median of 5x human by 2030 [000].",
        ge=0, le=2)
    max_serial_speed: float = P(20.0, "x human", "Upper end of [000]'s 0.5x-20x range.",
                                ge=0.01, le=1e4)
    thinking_oom_per_yr: float = P(
        0.4, "OOM/yr", "Growth of the tokens a model thinks per token of work it delivers "
        "(GPT-4 answered directly in 2023; reasoning models since spend 10-100x the tokens of "
        "a direct answer; assumption).", ge=0, le=3)
    max_thinking_oom: float = P(
        3.0, "OOM", "Most thinking per token of work: ~1,000x (reasoning models at high "
        "effort spent 10^2-10^3 x the tokens of a direct answer on hard tasks in 2024-25), which "
        "puts a frontier worker near Davidson (2023)'s runtime requirement of ~1.7e16 FLOP/s "
        "for an AGI-level worker and a leading lab's 2030 copies near Steinhardt's ~1.5M "
        "[000] (calibrated).", ge=0, le=6)
    speed_k: float = P(1.0, "dimensionless", "Extra serial speed k^2 bought by giving up a "
                       "factor k of throughput (k^3 copies -> 1 copy k^2 faster) [000].",
                       ge=1, le=100)
    rd_share: float = P(0.1, "fraction of AI labour", "Share of each fleet's labour a lab "
                        "keeps for its own R&D; the rest is offered on the task market and what "
                        "is not sold stays idle (assumption).", ge=0, le=1)


class AutonomyConfig(Section):
    """How long a model works before a human must check in."""

    initial_horizon_hours: float = P(
        0.1, "h of human-equivalent work", "GPT-4's 50% task horizon ~5-8 minutes (METR, Kwa "
        "et al. 2025).", ge=1e-4, le=1e4)
    horizon_oom_per_capability_oom: float = P(
        0.4, "OOM of horizon per OOM of effective compute", "Horizons doubled every ~7 months "
        "(METR 2025) while effective compute grew ~1 OOM/yr; gives 'several workdays' by "
        "2030 [000].", ge=0, le=3)
    max_horizon_hours: float = P(1.0e5, "h", "Cap (assumption).", ge=1e-3, le=1e9)
    reference_capability_oom: float = P(25.3, "log10 effective FLOP", "Capability at which "
                                        "the initial horizon holds: GPT-4, 2e25 FLOP.", ge=15,
                                        le=60)
    review_hours: float = P(0.05, "h per check-in", "Human time to review/redirect at each "
                            "check-in (assumption: 3 minutes).", ge=0, le=100)


class ThresholdRange(Section):
    """A capability range, spread uniformly over [low, high] by each bin's spread quantile."""

    low_oom: float = Field(..., description="[log10 effective FLOP] lowest threshold", ge=15,
                           le=60)
    high_oom: float = Field(..., description="[log10 effective FLOP] highest threshold", ge=15,
                            le=60)

    @model_validator(mode="after")
    def _ordered(self):
        if self.high_oom < self.low_oom:
            raise ValueError(f"high_oom ({self.high_oom}) < low_oom ({self.low_oom}); "
                             "allowed: high_oom >= low_oom")
        return self


class TaskBinsConfig(Section):
    """How finely each exposure class's task-hours are split (array shapes: structural)."""

    e0: int = Field(4, description="[count] task bins of each occupation's E0 hours", ge=1,
                    le=50)
    e1: int = Field(1, description="[count] task bins of each occupation's E1 hours", ge=1,
                    le=50)
    e2: int = Field(1, description="[count] task bins of each occupation's E2 hours", ge=1,
                    le=50)


class AugmentationConfig(Section):
    """Augmentation: AI makes the human doing a task faster (Eloundou et al. 2023's exposure)."""

    time_saving: float = P(
        0.5, "fraction of task time", "Exposure means an LLM (E1), or an LLM with tools (E2), "
        "cuts the time the task takes by half or more at equal quality (Eloundou et al. "
        "2023's rubric); 0.5 is that bar.", ge=0, le=0.95)
    e1: ThresholdRange = Field(
        default_factory=lambda: ThresholdRange(low_oom=25.3, high_oom=26.5),
        description="E1 tasks (an LLM alone halves the time): from GPT-4 level (2e25 = 25.3), "
        "the model the labels were made with, to ~1 OOM above.")
    e2: ThresholdRange = Field(
        default_factory=lambda: ThresholdRange(low_oom=26.5, high_oom=29.0),
        description="E2 tasks (need software built on top of an LLM): after 1-4 OOM of "
        "unhobbling, tools and scale [001].")
    price_share: float = P(
        0.1, "fraction of the wage value of time saved", "What labs charge for augmentation "
        "(assistants, copilots): e.g. $20-40 a month for hours saved worth several hundred "
        "dollars; with 1% adoption in 2023 it gives ~$2B/yr of revenue, OpenAI had ~$1.2B "
        "[004] (assumption, calibrated).", ge=0, le=1)


class AutomationConfig(Section):
    """Full automation (AI does the task end to end, with review), on Davidson's scale.

    Task bins are ordered by a difficulty score built from their labels; the wage-weighted
    share of work up to a bin sets its quantile q, and q its requirement: log-linear from
    ``requirement_100pct - flop_gap - easiest_spread`` (q = 0) to ``requirement_100pct -
    flop_gap`` (q = 0.2, Davidson's 20% point) to ``requirement_100pct`` (q = 1), the shape of
    Davidson (2023)'s compute-centric takeoff model.
    """

    requirement_100pct_oom: float = P(
        36.0, "log10 effective FLOP (2023 algorithms)", "Training compute that automates 100% "
        "of tasks: Davidson (2023) best guess 1e36 with 2022 algorithms (his range ~1e29-1e42, "
        "conservative preset 1e40); the year between 2022 and 2023 algorithms (~0.4 OOM) is "
        "well inside that uncertainty.", ge=20, le=50)
    flop_gap_oom: float = P(
        4.0, "OOM", "Effective-compute gap from 20% to 100% automation: Davidson's best guess "
        "1e4 (aggressive preset 1e1, conservative 1e8).", ge=0.1, le=15)
    easiest_spread_oom: float = P(
        2.5, "OOM", "How far below the 20% requirement the easiest tasks start: Davidson's "
        "best-guess run has 2% of tasks automatable at ~1e29.5, 11% at ~1e31 and 20% at ~1e32 "
        "(peers/ftm_best_guess_timeseries.csv), a log-linear ramp of ~2.5 OOM.", ge=0, le=15)
    e1_position: float = P(0.0, "difficulty score", "Where E1 tasks (an LLM alone halves the "
                           "time) start in the order: first (Eloundou et al. 2023).", ge=0,
                           le=10)
    e2_position: float = P(0.5, "difficulty score", "E2 tasks (need tools on top of an LLM) "
                           "after E1 (assumption).", ge=0, le=10)
    e0_position: float = P(1.0, "difficulty score", "E0 tasks (an LLM does not halve the "
                           "time) last (assumption).", ge=0, le=10)
    spread_weight: float = P(0.5, "difficulty score per unit of spread quantile", "Bins of one "
                             "class spread over this much of the order, so classes overlap "
                             "(assumption).", ge=0, le=10)
    rating_weight: float = P(
        0.0, "difficulty score per unit of (1 - rating)", "How much GPT-4's own automation "
        "rating (T0-T4 as 0-1, Eloundou et al. 2023) moves a task: T4 (full automation) "
        "earlier, T0 later; unrated tasks count as 0.5. 0 = ratings ignored (the built-in "
        "groups carry none).", ge=0, le=10)
    verifiability_weight: float = P(
        0.5, "difficulty score per unit of verifiability", "Decomposable, verifiable tasks "
        "come earlier: GPT-4 solves the 24 game 7.3% -> 74% when decomposed [004] "
        "(assumption for the size).", ge=0, le=10)
    physical_weight: float = P(0.5, "difficulty score", "Physical work comes later: robot data "
                               "is scarce [002] (assumption).", ge=0, le=10)
    experiment_weight: float = P(0.5, "difficulty score per unit of experiment share", "Work "
                                 "bound by costly real-world experiments comes later [000] "
                                 "(assumption).", ge=0, le=10)
    research_easier_oom: float = P(
        0.48, "OOM", "AI-research tasks need less than the economy's at the same place in the "
        "order: Davidson's best guess makes R&D tasks 3x easier (0.48 OOM).", ge=0, le=10)


class TaskRulesConfig(Section):
    """Task-automation rules: how a task's requirement, augmentation and gates follow from its
    labels (exposure class, GPT-4 rating, verifiability, physical and experiment flags).
    """

    name: str = Field("default", description="Name of this rule set.")
    bins: TaskBinsConfig = Field(default_factory=TaskBinsConfig)
    automation: AutomationConfig = Field(default_factory=AutomationConfig)
    augmentation: AugmentationConfig = Field(default_factory=AugmentationConfig)
    softness_oom: float = P(0.3, "OOM", "Width of the logistic ramp around a threshold: "
                            "automation is soft, not a cliff.", ge=0.01, le=5)
    verifiability_reference: float = P(0.75, "0-1 score", "Verifiability at which it moves no "
                                       "task (~the data's mean).", ge=0, le=1)
    experiment_cap: float = P(
        0.5, "fraction", "Share of experiment-bound task hours AI can take over: costly "
        "real-world experiments cap throughput [000] (assumption).", ge=0, le=1)
    oversight_rating_slope: float = P(
        0.0, "x review time per unit of (1 - rating)", "Extra oversight a task needs when "
        "GPT-4 rated it as little automatable: review time x (1 + extra x (1 - rating)); "
        "unrated tasks count as rating 0.5 (assumption; 0 = uniform oversight).", ge=0, le=10)
    physical_low: float = P(1.0, "robotics OOM", "Lowest robotics level a physical task needs "
                            "(assumption).", ge=0, le=20)
    physical_high: float = P(4.0, "robotics OOM", "Highest robotics level a physical task "
                             "needs (assumption).", ge=0, le=20)

    @model_validator(mode="after")
    def _ordered(self):
        if self.physical_high < self.physical_low:
            raise ValueError(f"physical_high ({self.physical_high}) < physical_low "
                             f"({self.physical_low}); allowed: physical_high >= physical_low")
        return self


class RoboticsConfig(Section):
    """Robotics capability: physical tasks need it on top of cognitive capability."""

    growth_oom_per_yr: float = P(0.05, "robotics OOM/yr", "Slow on its own: robot data is "
                                 "scarce [002] (assumption).", ge=0, le=5)
    capability_coupling: float = P(
        0.3, "robotics OOM per OOM of frontier capability", "Cognitive progress carries "
        "robotics (AI designs robots and makes their training data in simulation [002]); at "
        "0.3 physical work follows about when AI can do all cognitive work; ~40% chance of an "
        "autonomous Ferrari build by 2030 [000] (assumption).", ge=0, le=5)


class MarketConfig(Section):
    """The task market: adoption, pricing, competition."""

    adoption_lag_years: float = P(
        6.0, "yr", "Years for adoption of feasible, cheaper automation to reach half its "
        "ceiling (Bass diffusion with Sultan et al. 1990's mean coefficients takes ~6.2); "
        "'slower than markets expect but faster than most think' [004].", ge=0.1, le=50)
    initial_adoption_share: float = P(
        0.01, "fraction of E1 task hours", "AI in use on E1 tasks in Jan 2023; reproduces "
        "~50,000 person-days of ChatGPT text per day [000] (calibrated).", ge=0, le=1)
    markup: float = P(0.5, "fraction of surplus", "A lab alone at the frontier captures this "
                      "share of the customer's surplus; shared among close competitors "
                      "(assumption).", ge=0, le=1)
    competition_window_oom: float = P(0.5, "OOM", "Labs within this capability gap compete "
                                      "(assumption).", ge=0, le=10)
    rest_of_world_multiplier: float = P(
        1.0, "dimensionless", "Demand for AI labour outside the modelled US labour market, "
        "per unit of US demand (assumption: the US is ~half of AI revenue).", ge=0, le=20)
    open_weights_lag_years: float = P(4.0, "yr", "Open models lag the frontier by 3-5 years "
                                      "[003].", ge=0, le=20)
    historical_frontier_growth_oom_per_yr: float = P(
        0.6, "OOM/yr", "Frontier growth before the start, to place the lagged open model "
        "[001].", ge=0, le=3)


class LabourConfig(Section):
    """The labour market."""

    hours_per_worker_per_yr: float = P(2000.0, "h/yr", "Full-time work-year (SEED_FACTS).",
                                       ge=100, le=8766)
    initial_unemployment_rate: float = P(0.036, "fraction of labour force", "US 2023 average "
                                         "(BLS).", ge=0, le=0.9)
    separation_rate_per_month: float = P(
        0.0095, "fraction of employment/month", "Jobs that end into unemployment each month "
        "(CPS employment-to-unemployment flow ~1%/month); with the job-finding rate it sets "
        "unemployment at rest, s / (s + f) = 3.7%.", ge=0, le=1)
    max_layoff_rate_per_month: float = P(0.02, "fraction of employment/month", "Bound on "
                                         "monthly layoffs (JOLTS layoffs ~1-2%/month).",
                                         ge=0, le=1)
    job_finding_rate_per_month: float = P(0.25, "fraction of unemployed/month", "US "
                                          "unemployment-to-employment flow (CPS).", ge=0, le=1)
    retraining_entry_per_month: float = P(0.05, "fraction of unemployed/month", "Share of "
                                          "unemployed who start retraining (assumption).",
                                          ge=0, le=1)
    retraining_months: float = P(12.0, "months", "Length of retraining (assumption).", ge=1,
                                 le=120)
    wage_penalty: float = P(0.15, "fraction", "Earnings loss of displaced workers re-employed in "
                            "a new occupation (displaced-worker studies: 10-20%).", ge=0, le=1)
    wage_penalty_fade_years: float = P(5.0, "yr", "Time constant over which the penalty "
                                       "fades (assumption).", ge=0.1, le=100)
    wage_flexibility: float = P(0.5, "1/yr per unit of log excess demand", "Wage response to "
                                "labour-market tightness (assumption).", ge=0, le=10)
    max_wage_change_per_yr: float = P(0.3, "fraction/yr", "Fastest wages move in a year, up "
                                      "or down (wage rigidity; assumption). Wages move toward "
                                      "the level where demand meets supply, their marginal "
                                      "product.", ge=0.001, le=5)
    wage_floor_usd_per_hour: float = P(7.25, "USD/h", "US federal minimum wage.", ge=0, le=1e3)
    reinstatement_share: float = P(
        0.5, "task weight created per unit of task weight automated", "New tasks, done by "
        "people, appear as old ones are automated: Acemoglu & Restrepo (2019) measure "
        "reinstatement at ~1x displacement in 1947-1987 and ~0.5x in 1987-2017 (0.35 vs "
        "0.70 %/yr); the recent figure. New tasks replace automated ones, so at most 1.",
        ge=0, le=1)
    reinstatement_lag_years: float = P(5.0, "yr", "Time constant of reinstatement "
                                       "(assumption).", ge=0.1, le=50)


class EconomyConfig(Section):
    """US output from tasks (a CES over task bins, nested in a CES with capital), its incomes,
    and the world economy that AI's investment is capped by. Sources: BEA NIPA and Fixed
    Assets 2023, BLS, and Davidson (2023)'s takeoff model for the substitution parameters.
    """

    us_output_usd: float = P(2.7e13, "USD/yr (2023 dollars)", "US GDP 2023, $27.4T (BEA NIPA "
                             "table 1.1.5).", ge=1e9, le=1e17)
    world_output_usd: float = P(1.05e14, "USD/yr (2023 dollars)", "World GDP 2023 ~ $105T "
                                "(IMF WEO); the rest of the world moves with the US economy.",
                                ge=1e9, le=1e18)
    labour_share: float = P(
        0.53, "fraction of output", "Labour income over US output in 2023: compensation of "
        "employees is 0.52 of GDP (BEA 2023: $14.2T / $27.4T), more with the self-employed's "
        "labour income. The table's wages reproduce 0.53 with benefits (x1.42, BLS ECEC Dec "
        "2023), 2023 prices (x1.124, CPI-U) and all US workers (x1.14, CPS 161M / OEWS 141M). "
        "Sets the labour cost of an hour of each occupation's work.", ge=0.3, le=0.8)
    capital_output_ratio: float = P(3.0, "yr of output", "Net stock of fixed assets over GDP, "
                                    "~$80T / $27T (BEA Fixed Assets 2023).", ge=0.1, le=20)
    investment_share: float = P(0.21, "fraction of output", "Gross investment, private and "
                                "government, ~21% of GDP (BEA NIPA 2023).", ge=0, le=0.9)
    depreciation_per_yr: float = P(0.055, "1/yr", "Consumption of fixed capital / net stock, "
                                   "~$4.4T / $80T (BEA 2023).", ge=0, le=1)
    tfp_growth_per_yr: float = P(0.01, "1/yr", "Total factor productivity growth (Davidson "
                                 "2023's tfp_growth; Fernald's US TFP ~1%/yr since 1947).",
                                 ge=-0.05, le=0.2)
    task_substitution_rho: float = P(
        -0.5, "dimensionless", "CES substitution between tasks, rho = 1 - 1/sigma: -0.5 is an "
        "elasticity of 0.67, tasks are complements (Davidson 2023 best guess, "
        "labour_substitution_goods; his presets -0.2 to -2).", ge=-5, le=-0.01)
    expectation_years: float = P(
        0.25, "yr", "Firms plan next step's purchases with unit costs they expect, which "
        "follow the realised ones with this time constant (adaptive expectations, about a "
        "quarter; assumption). Without it demand and the task market swing month to month.",
        ge=0.01, le=10)
    capital_substitution_rho: float = P(
        -0.4, "dimensionless", "CES substitution between capital and the task aggregate "
        "(Davidson 2023 best guess, capital_substitution_goods; presets -0.2 to -2).", ge=-5,
        le=-0.01)


class ResearchConfig(Section):
    """Research: semi-endogenous growth of software (algorithmic efficiency), as in Jones (1995)
    and Davidson (2023)'s takeoff model, with AI researchers from the labs' own fleets.

    Each frontier lab's research input R is a CES of cognitive labour and experiment compute,
    each relative to the lab's 2023 level; cognitive labour is a CES over research tasks, AI
    doing the share it can automate and people the rest, with a parallelisation penalty.
    Software grows as ``d ln S / dt = returns x R / C`` with C the cumulative input (so
    ``ln S`` = returns x ``ln C``); C at the start sets 2023's rate.
    """

    labour_share: float = P(0.5, "dimensionless", "Weight of cognitive labour vs experiment "
                            "compute in the CES research function (assumption; Davidson's "
                            "model puts experiments at 0.3).", ge=0.01, le=0.99)
    ces_rho: float = P(-0.2, "dimensionless", "CES substitution between labour and experiment "
                       "compute: < 0, complements, so research without more experiments "
                       "levels off (assumption, near Davidson's ~0: with compute growing "
                       "~0.5 OOM/yr it keeps 2023's ~0.3-0.4 OOM/yr of software progress).",
                       ge=-10, le=0.9)
    task_substitution_rho: float = P(
        -0.5, "dimensionless", "CES substitution between research tasks: < 0, a task AI "
        "cannot do holds the rest back (Davidson 2023 best guess -0.5).", ge=-10, le=-0.01)
    parallel_exponent: float = P(0.7, "dimensionless", "Returns to parallel research labour "
                                 "(Davidson 2023's parallelisation penalty, best guess 0.7).",
                                 ge=0.01, le=1)
    researcher_growth_per_yr: float = P(
        0.1, "1/yr (log growth)", "Growth of each lab's human research staff (assumption; the "
        "AI research workforce grew ~10-20%/yr in 2012-2022, Stanford AI Index).", ge=-0.5,
        le=2)
    ai_researcher_productivity: float = P(1.0, "researchers per human-equivalent worker",
                                          "Research output of one AI human-equivalent relative "
                                          "to a human researcher (assumption).", ge=0, le=100)
    automated_researcher_share: float = P(
        0.95, "fraction of research work", "AI does this share of AI-research work (capability "
        "and autonomy) -> 'automated AI researcher' (Irpan's 95% bar applied to research).",
        ge=0.01, le=1)


class LearningConfig(Section):
    """Parallel learning: experience shared across copies lowers thresholds."""

    oom_per_decade: float = P(0.2, "OOM of threshold per 10x experience", "Assumption.",
                              ge=0, le=5)
    reference_hours: float = P(1.0e8, "human-equivalent hours", "Experience at which the "
                               "first 10x counts (assumption).", ge=1, le=1e20)
    max_oom: float = P(1.0, "OOM", "Most a task's threshold can fall from learning "
                       "(assumption).", ge=0, le=10)


class OccupationsConfig(Section):
    """Which occupation table the workers use."""

    source: Literal["builtin", "detailed"] = Field(
        "builtin", description="'builtin': the 22 SOC major groups shipped with the package; "
        "'detailed': the ~780 BLS detailed occupations with their O*NET tasks, shipped with the "
        "package or built from data_dir (Eloundou et al. 2023 data, O*NET x BLS OEWS May "
        "2021).")
    data_dir: str | None = Field(
        None, description="[folder path] The raw O*NET x BLS exposure data to build 'detailed' "
        "from (None: $SIM_ONET_DATA, else the detailed table shipped with the package).")


class MilestonesConfig(Section):
    """Milestone levels of wage-weighted work."""

    levels: tuple[float, ...] = Field((0.2, 0.5, 0.95, 1.0), description="[fraction] levels of "
                                      "wage-weighted work reported (Irpan's AGI = 0.95 [002]).")
    full_automation_share: float = P(0.995, "fraction", "The '100%' level counts as reached at "
                                     "this share (soft thresholds never reach exactly 1).",
                                     ge=0.9, le=1)

    @field_validator("levels")
    @classmethod
    def _levels(cls, v):
        if not v or any(isinstance(x, bool) or not (0 < x <= 1) for x in v):
            raise ValueError(f"levels {short_repr(list(v))}: allowed: a non-empty list of "
                             "numbers in (0, 1]")
        names = [int(round(x * 100)) for x in v]
        if len(set(names)) != len(names):
            twice = sorted(n for n, count in Counter(names).items() if count > 1)
            raise ValueError(f"levels name the same whole percent twice ({short_repr(twice)}); "
                             "allowed: levels at least 1 percentage point apart (milestones "
                             "are named by whole percent)")
        return tuple(sorted(v))


class SimConfig(Section):
    """The whole model configuration. The default needs no file."""

    seed: int = Field(0, description="[integer] Seed of this scenario's random stream.", ge=0,
                      le=2**63 - 1)
    time: TimeConfig = Field(default_factory=TimeConfig)
    hardware: HardwareConfig = Field(default_factory=HardwareConfig)
    labs: Annotated[list[LabConfig], Field(min_length=1)] = Field(default_factory=_default_labs)
    capital: CapitalConfig = Field(default_factory=CapitalConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    algorithms: AlgorithmsConfig = Field(default_factory=AlgorithmsConfig)
    copies: CopiesConfig = Field(default_factory=CopiesConfig)
    autonomy: AutonomyConfig = Field(default_factory=AutonomyConfig)
    tasks: TaskRulesConfig = Field(default_factory=TaskRulesConfig)
    robotics: RoboticsConfig = Field(default_factory=RoboticsConfig)
    market: MarketConfig = Field(default_factory=MarketConfig)
    labour: LabourConfig = Field(default_factory=LabourConfig)
    economy: EconomyConfig = Field(default_factory=EconomyConfig)
    research: ResearchConfig = Field(default_factory=ResearchConfig)
    learning: LearningConfig = Field(default_factory=LearningConfig)
    occupations: OccupationsConfig = Field(default_factory=OccupationsConfig)
    milestones: MilestonesConfig = Field(default_factory=MilestonesConfig)

    @model_validator(mode="after")
    def _structure(self):
        if not any(lab.kind == "frontier" for lab in self.labs):
            raise ValueError("labs: at least one lab must have kind 'frontier'")
        if not self.hardware.vendors:
            raise ValueError("hardware.vendors: allowed: at least one vendor")
        names = [lab.name for lab in self.labs]
        if len(set(names)) != len(names):
            twice = sorted(n for n, count in Counter(names).items() if count > 1)
            raise ValueError(f"labs: names must be unique, {short_repr(twice)} repeated; "
                             "allowed: a different name for each lab")
        return self

    def structure_key(self) -> tuple:
        """What must match for scenarios to share one batch (array shapes and kinds)."""
        return (
            self.time.start_year, self.time.end_year, self.time.steps_per_year,
            tuple((lab.name, lab.kind) for lab in self.labs),
            tuple(v.name for v in self.hardware.vendors),
            (self.tasks.bins.e0, self.tasks.bins.e1, self.tasks.bins.e2),
            self.occupations.source, self.occupations.data_dir, self.milestones.levels,
        )
