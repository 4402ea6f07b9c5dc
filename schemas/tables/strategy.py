"""StrategicObjectives, Initiatives, ValueStreams and StakeholderOutcomes."""

from schemas.fields import (
    date,
    derived,
    id_field,
    integer,
    inverse,
    long_text,
    money,
    number,
    percent,
    ref,
    refs,
    select,
    slider,
    text,
)
from schemas.options import LEVELS, MEASUREMENT_PERIODS, OBJECTIVE_STATUSES, PRIORITIES
from schemas.table import Table


def _account(what: str):
    return ref("account", "AccountMaster", f"Account this {what} belongs to.", required=True)


STRATEGIC_OBJECTIVES = Table(
    name="StrategicObjectives",
    identity="Objective",
    prefix="OBJ",
    display_key="objective_name",
    featured=("account", "strategic_pillar", "status", "progress_percent", "business_value_usd"),
    description="Quantified customer objectives and how much the platform contributes to them.",
    account_key="account",
    fields=(
        id_field("objective_id", "Row id, OBJ-00001."),
        _account("objective"),
        select(
            "strategic_pillar",
            (
                "Revenue Growth",
                "Cost Optimization",
                "Customer Experience",
                "Operational Resilience",
                "Innovation Velocity",
                "Risk Mitigation",
                "Sustainability/ESG",
                "Market Expansion",
                "Compliance/Regulatory",
            ),
            "Strategic pillar the objective serves.",
        ),
        text("objective_name", "Short name of the objective.", required=True),
        long_text("description", "What the objective is about."),
        text("business_driver", "Why the customer pursues it."),
        text("quantified_goal", "The measurable goal, e.g. Cut quote time to 2 hours.", required=True),
        date("target_date", "When the goal should be met."),
        text("business_owner", "Customer-side owner."),
        money("business_value_usd", "Business value at stake in USD."),
        select(
            "platform_relevance",
            ("Critical Enabler", "Supporting", "Adjacent", "Not Applicable"),
            "How much the platform matters to the objective.",
            required=True,
        ),
        select("status", OBJECTIVE_STATUSES, "Delivery status.", default="Not Started"),
        slider("progress_percent", 0, 100, "Progress towards the goal, 0-100."),
        derived(text("health_indicator", "Risk, Complete, Active or Pending from the status.")),
        date("last_review_date", "When the objective was last reviewed."),
        long_text("notes", "Free notes."),
        inverse(
            "linked_capabilities",
            "PlatformCapabilities",
            (("PlatformCapabilities", "linked_strategic_objectives"),),
            "Capabilities that serve this objective.",
        ),
        inverse(
            "linked_value_streams",
            "ValueStreams",
            (("ValueStreams", "linked_strategic_objectives"),),
            "Value streams that serve this objective.",
        ),
        inverse(
            "linked_initiatives",
            "Initiatives",
            (("Initiatives", "linked_strategic_objectives"),),
            "Initiatives that serve this objective.",
        ),
        derived(
            number(
                "platform_impact_score",
                "Linked capabilities x APIs behind the linked value streams x business value in millions.",
                decimals=1,
            )
        ),
    ),
)

INITIATIVES = Table(
    name="Initiatives",
    identity="Initiative",
    prefix="INI",
    display_key="initiative_name",
    featured=("account", "status", "target_completion_date", "investment_amount_usd", "three_year_roi_percent"),
    description="Investments with phases, owners, payback and ROI.",
    account_key="account",
    fields=(
        id_field("initiative_id", "Row id, INI-00001."),
        _account("initiative"),
        text("initiative_name", "Name of the initiative.", required=True),
        select(
            "initiative_type",
            (
                "Platform Migration",
                "Capability Development",
                "Governance Enhancement",
                "Monitoring/Observability",
                "Training/Enablement",
                "Technical Debt Remediation",
                "API Development",
                "Integration Project",
            ),
            "Kind of initiative.",
            required=True,
        ),
        select("proposed_by", ("Customer", "CSM", "SE", "AE", "Both"), "Who proposed it.", required=True),
        refs("linked_strategic_objectives", "StrategicObjectives", "Objectives the initiative serves."),
        refs("linked_capabilities", "PlatformCapabilities", "Capabilities the initiative builds."),
        text("business_driver", "Why it is being done."),
        select("priority", PRIORITIES, "Priority.", required=True),
        select(
            "phase",
            ("Discovery", "Planning", "Design", "Build", "Test", "Deploy", "Monitor", "Closed"),
            "Delivery phase.",
            default="Discovery",
        ),
        select(
            "status",
            ("Proposed", "Approved", "In Progress", "On Hold", "Completed", "Cancelled"),
            "Status.",
            default="Proposed",
        ),
        derived(text("status_color", "Colour dot for the status.")),
        date("start_date", "Start date."),
        date("target_completion_date", "Planned completion date."),
        date("actual_completion_date", "Actual completion date, once done."),
        derived(integer("days_overdue", "Days past the target date while not completed.")),
        derived(text("on_time_flag", "Severely Delayed (>30 days), Delayed (>7), On Time when completed.")),
        money("investment_amount_usd", "Total investment in USD."),
        money("vendor_services_usd", "Vendor professional services in USD.", display_name="Vendor Services USD"),
        money("customer_investment_usd", "Customer's own investment in USD."),
        money("expected_annual_benefit_usd", "Expected yearly benefit in USD."),
        money("realized_annual_benefit_usd", "Benefit realised so far, per year, in USD."),
        derived(number("expected_payback_months", "Investment divided by the monthly expected benefit.", decimals=1)),
        derived(
            percent(
                "three_year_roi_percent",
                "(3 x annual benefit - investment) / investment.",
                decimals=0,
                display_name="Three Year ROI Percent",
            )
        ),
        long_text("success_criteria", "How success is judged."),
        long_text("blockers", "What is in the way."),
        long_text("notes", "Free notes."),
        text("next_milestone", "Next milestone."),
        ref("owner_vendor", "PeopleTeam", "Owner on the vendor side."),
        text("owner_customer", "Owner on the customer side."),
        date("last_update_date", "When the row was last reviewed."),
    ),
)

VALUE_STREAMS = Table(
    name="ValueStreams",
    identity="ValueStream",
    prefix="VS",
    display_key="value_stream_name",
    featured=("account", "cycle_time_reduction_percent", "total_business_value_usd", "operational_risk_level"),
    description="Business processes with their quantified improvements.",
    account_key="account",
    fields=(
        id_field("value_stream_id", "Row id, VS-00001."),
        _account("value stream"),
        text("value_stream_name", "Name of the value stream.", required=True),
        text("business_process", "The business process it covers.", required=True),
        text("process_owner", "Customer-side process owner."),
        refs("linked_strategic_objectives", "StrategicObjectives", "Objectives this stream serves."),
        refs("enabled_capabilities", "PlatformCapabilities", "Platform capabilities the stream relies on."),
        inverse(
            "supporting_apis",
            "APIPortfolio",
            (("APIPortfolio", "linked_value_streams"),),
            "APIs linked to this stream.",
        ),
        integer("integration_endpoints", "Systems the stream integrates."),
        integer("apis_consumed", "APIs the stream calls.", display_name="APIs Consumed"),
        integer("annual_transaction_volume", "Transactions per year."),
        number("cycle_time_baseline_hours", "Cycle time before the platform, hours.", minimum=0),
        number("cycle_time_current_hours", "Cycle time now, hours.", minimum=0),
        number("cycle_time_target_hours", "Cycle time aimed for, hours.", minimum=0),
        derived(percent("cycle_time_reduction_percent", "Reduction from baseline to current, percent.")),
        derived(text("cycle_time_progress_indicator", "Target Met, Progressing (>=50% cut) or Needs Improvement.")),
        money("cost_per_transaction_before_usd", "Cost per transaction before, USD."),
        money("cost_per_transaction_after_usd", "Cost per transaction now, USD."),
        derived(
            money(
                "annual_cost_savings_usd",
                "(Cost before - cost after) x annual volume; empty when there is no cost before.",
                minimum=None,
            )
        ),
        money("revenue_impact_usd", "Revenue the stream adds per year, USD.", minimum=None),
        derived(money("total_business_value_usd", "Annual cost savings plus revenue impact.", minimum=None)),
        slider("customer_satisfaction_score", 1, 10, "Satisfaction of the stream's users, 1-10."),
        select("operational_risk_level", LEVELS, "Operational risk of the stream."),
    ),
)

STAKEHOLDER_OUTCOMES = Table(
    name="StakeholderOutcomes",
    identity="Outcome",
    prefix="OUT",
    display_key="outcome_statement",
    featured=("account", "stakeholder_type", "target_achievement_percent", "status"),
    description="Persona-based outcomes with baseline, current and target values.",
    account_key="account",
    fields=(
        id_field("outcome_id", "Row id, OUT-00001."),
        _account("outcome"),
        select(
            "stakeholder_type",
            ("External Customer", "Internal Business Unit", "Partner", "Regulator", "End User", "Executive Leadership"),
            "Kind of stakeholder.",
            required=True,
        ),
        text("stakeholder_name", "Stakeholder or group."),
        text("stakeholder_role", "Stakeholder's role."),
        text("outcome_statement", "The outcome in the form 'As a ..., I ...'.", required=True),
        ref("linked_strategic_objective", "StrategicObjectives", "Objective the outcome serves."),
        ref("linked_value_stream", "ValueStreams", "Value stream that delivers it."),
        refs("linked_api_services", "APIPortfolio", "APIs behind the outcome.", display_name="Linked API Services"),
        text("success_metric_name", "What is measured."),
        number("baseline_value", "Value before."),
        number("current_value", "Value now; empty until first measured."),
        number("target_value", "Value aimed for."),
        text("unit", "Unit of the values."),
        derived(
            percent(
                "improvement_percent",
                "(Current - baseline) / |baseline|, signed so that progress toward the target is positive "
                "whichever way the target lies.",
            )
        ),
        derived(percent("target_achievement_percent", "(Current - baseline) / (target - baseline).", decimals=0)),
        derived(
            select(
                "status",
                ("Not Started", "Achieved", "On Track", "Needs Attention"),
                "Achieved at 100%, On Track from 75%, Not Started until measured.",
            )
        ),
        text("measurement_method", "How it is measured."),
        date("last_measured", "When it was last measured."),
        select("measurement_frequency", MEASUREMENT_PERIODS, "How often it is measured."),
    ),
)
