"""The pack formulas' declarations: names, parameters, result types, cache lifetimes.

The service's `/v1/formulas` endpoint answers them and the pack shim is
generated from them, so a parameter is named in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "string", "number" or "date" (a date is sent to the service as YYYY-MM-DD)
    description: str
    optional: bool = False
    # "accounts": Coda offers the service's account names as the user types (`/v1/autocomplete/accounts`).
    autocomplete: str | None = None
    # A fixed list Coda offers as the user types (a select field's options, from the catalog).
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackFormula:
    name: str
    description: str
    params: tuple[Param, ...]
    result: str  # "number", "currency", "string" or "markdown"
    cache_ttl_secs: int
    example: tuple[tuple[str | int, ...], str | float]
    # Coda cannot show a blank number from a formula (the SDK rejects null), so the
    # pack turns the service's null into an error with this explanation.
    when_null: str = "has no value for this formula."
    # The service's answer carries the result's figures as JSON too (`data`), beside the text.
    figures: bool = False


#: CalculatePlatformROI's periods (formulas/roi.py says what each covers).
TIME_PERIODS = ("Last 6M", "Last 12M", "Last 3Y", "All Time")

ACCOUNT = Param(
    "accountName",
    "string",
    "The account's name (any case or spacing) or its id, e.g. ACC-00001.",
    autocomplete="accounts",
)

PACK_FORMULAS: tuple[PackFormula, ...] = (
    PackFormula(
        "GetAccountHealth",
        "The account's health score, 0-100 with one decimal, computed from its metrics, outcomes, engagements "
        "and objectives; blank when there is no data.",
        (ACCOUNT,),
        "number",
        300,
        (("Acme Financial Services",), 81.9),
        "has no health score yet: it has no metrics, outcomes, recent engagements or objectives to compute one from.",
    ),
    PackFormula(
        "GetAccountARR",
        "The account's annual recurring revenue in USD.",
        (ACCOUNT,),
        "currency",
        300,
        (("Acme Financial Services",), 1_200_000),
    ),
    PackFormula(
        "FormatAccountSummary",
        "One line with the account's ARR, health, renewal and CSM.",
        (ACCOUNT,),
        "string",
        300,
        (
            ("Acme Financial Services",),
            "Acme Financial Services | ARR $1.2M | Health 81.9 (Healthy) | Renewal 2027-06-30 (222 days) | "
            "CSM Sarah Chen",
        ),
    ),
    PackFormula(
        "CreateReferenceID",
        "A cross-table reference id such as ACME-OBJ-001: the account name's first four letters or digits, "
        "the entity type and the zero-padded sequence.",
        (
            Param(
                "accountName",
                "string",
                "Any account name, a prospect not in the service included, or an existing account's id "
                "(ACC-00001), which stands for its name.",
                autocomplete="accounts",
            ),
            Param("entityType", "string", "Entity type, 2 to 6 letters, e.g. OBJ, INI, RISK."),
            Param("sequence", "number", "A positive whole number; padded to at least three digits."),
        ),
        "string",
        3600,
        (("Acme Financial Services", "OBJ", 1), "ACME-OBJ-001"),
    ),
    PackFormula(
        "GetPortfolioSummary",
        "A CSM's portfolio (or every account) in one line: accounts, ARR, at-risk ARR, average health and its "
        "spread, renewals in the next 90 and 180 days. Churned and Expired accounts are left out.",
        (
            Param(
                "csmName",
                "string",
                "The CSM's full name (any case or spacing) or PeopleTeam id; leave it out for every account.",
                optional=True,
            ),
        ),
        "string",
        300,
        (
            ("Sarah Chen",),
            "Sarah Chen: 3 accounts | ARR $2.8M | at risk $0 (0) | avg health 81.4 (2 80+, 1 70-80) | "
            "1 renewing in 90 days ($850K); 1 renewing in 180 days ($850K)",
        ),
        figures=True,
    ),
    PackFormula(
        "CalculatePlatformROI",
        "What the account's initiatives completed in the period cost and return: investment, annual benefit "
        "(realized, else expected), simple ROI, payback months, 3-year ROI and NPV at 10%.",
        (
            ACCOUNT,
            Param(
                "timePeriod",
                "string",
                "Completed initiatives of the last 6 months, 12 months, 3 years, or all time.",
                options=TIME_PERIODS,
            ),
        ),
        "string",
        300,
        (
            ("Acme Financial Services", "Last 12M"),
            "Acme Financial Services, Last 12M: 1 completed initiative | investment $280K | annual benefit $540K | "
            "simple ROI 93% | payback 6.2 months | 3-year ROI 479% | NPV at 10% $1.1M",
        ),
        figures=True,
    ),
    PackFormula(
        "GetQBRBrief",
        "The facts of a QBR deck for the account, in Markdown: objectives by status, top metrics, initiatives "
        "completed in the period with investment, benefit and ROI, outcomes, top value streams, open Critical "
        "and High risks, next steps.",
        (
            ACCOUNT,
            Param("startDate", "date", "First day of the period (default: 180 days before the end).", optional=True),
            Param("endDate", "date", "Last day of the period (default: today).", optional=True),
        ),
        "markdown",
        300,
        (
            ("Gard AS",),
            (
                "# QBR brief: Gard AS (2026-05-24 to 2026-11-20)\n"
                "\n"
                "Health 73.9 (Attention Needed) · ARR $780K · renewal 2027-10-15 (329 days) · CSM Sarah Chen\n"
                "\n"
                "## Objectives (1 In Progress, 1 On Track)\n"
                "- Manage Geopolitical Volatility: In Progress, 75%\n"
                "- Lead Green Transition: On Track, 88%\n"
                "\n"
                "## Top metrics\n"
                "- none with a business impact recorded\n"
                "\n"
                "## Initiatives completed in the period\n"
                "- none completed in the period\n"
                "\n"
                "## Outcomes\n"
                "- War risk underwriters: As an underwriter, I quote war-risk cover within two hours of a request "
                "(91% of target, On Track)\n"
                "\n"
                "## Top value streams\n"
                "- War Risk Quoting: $10.3M a year\n"
                "- Green Vessel Underwriting: $1.2M a year\n"
                "\n"
                "## Open Critical and High risks\n"
                "- Emissions data spread over spreadsheets (High, Open): Build the emissions data pipeline once its "
                "business case is approved.\n"
                "- Quote latency spikes when listed areas change (High, In Progress): Integrate live listed-area "
                "feeds (Listed-Area Feed Integration).\n"
                "\n"
                "## Next steps\n"
                "- Send Kristian Haugen the cut-over window options (Sarah Chen, due 2026-11-12, overdue)\n"
                "- Review listed-area feed cut-over plan (Sarah Chen, due 2026-11-22)\n"
                "- Write emissions pipeline business case (Sarah Chen, due 2026-12-20)\n"
                "- From the last engagement: Sarah Chen to review the cut-over plan by 22 November; business case "
                "for the emissions pipeline by 20 December.\n"
            ),
        ),
        figures=True,
    ),
)
