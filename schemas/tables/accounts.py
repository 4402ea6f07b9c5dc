"""AccountMaster, PeopleTeam and BusinessContext (seed 001, Phase 1)."""

from schemas.fields import (
    boolean,
    date,
    datetime,
    derived,
    email,
    id_field,
    integer,
    inverse,
    long_text,
    money,
    number,
    ref,
    select,
    slider,
    text,
)
from schemas.options import CONTRACT_TYPES, INDUSTRIES, REGIONS
from schemas.table import Table

ACCOUNT_TEAM = (
    ("AccountMaster", "customer_success_manager"),
    ("AccountMaster", "account_executive"),
    ("AccountMaster", "solutions_architect"),
    ("AccountMaster", "executive_sponsor_vendor"),
)

ACCOUNT_MASTER = Table(
    name="AccountMaster",
    identity="Account",
    prefix="ACC",
    display_key="account_name",
    featured=("health_score", "renewal_risk_level", "arr", "renewal_date", "customer_success_manager"),
    description="Every managed customer account: contract, team, health and renewal.",
    fields=(
        id_field("account_id", "Row id, ACC-00001."),
        text("account_name", "Customer's legal or trading name.", required=True, unique=True),
        select("industry_vertical", INDUSTRIES, "Industry the customer operates in.", required=True),
        text("industry_sub_sector", "Finer industry segment, e.g. Marine Insurance."),
        select("contract_type", CONTRACT_TYPES, "Success plan bought; sets the engagement cadence.", required=True),
        date("contract_start_date", "First day of the current contract.", required=True),
        date("contract_end_date", "Last day of the current contract.", required=True),
        date("renewal_date", "Date the renewal is due.", required=True),
        derived(integer("days_to_renewal", "Days from today to the renewal date; negative once passed.", minimum=None)),
        money("arr", "Annual recurring revenue in USD.", required=True, display_name="ARR"),
        money("acv", "Annual contract value in USD.", display_name="ACV"),
        money("customer_annual_revenue", "The customer's own annual revenue in USD."),
        integer("employee_count", "The customer's head count."),
        text("sp_rating", "S&P credit rating, e.g. AA-.", display_name="S&P Rating"),
        ref("customer_success_manager", "PeopleTeam", "CSM who owns the account."),
        ref("account_executive", "PeopleTeam", "Account executive on the vendor side."),
        ref("solutions_architect", "PeopleTeam", "Solutions architect on the vendor side."),
        ref("executive_sponsor_vendor", "PeopleTeam", "Executive sponsor on the vendor side."),
        derived(
            number("health_score", "Weighted health 0-100 from the four components; null without data.", decimals=1)
        ),
        derived(
            number(
                "platform_technical_health",
                "Mean numeric status of performance, reliability and security metrics.",
                decimals=1,
            )
        ),
        derived(
            number("business_value_realization", "Mean target achievement of started stakeholder outcomes.", decimals=1)
        ),
        derived(
            number(
                "stakeholder_engagement",
                "Mean relationship depth of the last 90 days' engagements, times 10.",
                decimals=1,
            )
        ),
        derived(number("strategic_alignment", "Share of objectives On Track or Achieved, in percent.", decimals=1)),
        derived(number("health_score_trend_30d", "Health now minus health at the snapshot 30 days ago.", decimals=1)),
        derived(text("health_score_change_flag", "Declining, Improving or Stable from the 30-day trend.")),
        derived(
            select(
                "renewal_risk_level",
                ("Critical", "At Risk", "Attention Needed", "Healthy", "No Data"),
                "Risk to the renewal from health and days to renewal.",
            )
        ),
        select(
            "account_status",
            ("Active", "Renewal Pending", "At Risk", "Churned", "Expired"),
            "Commercial status of the account.",
            default="Active",
        ),
        select("geography", REGIONS, "Region the account is managed from."),
        text("country", "Customer's home country."),
        text("primary_contact_name", "Main customer contact."),
        email("primary_contact_email", "Main customer contact's email."),
        text("primary_contact_role", "Main customer contact's job title."),
        derived(date("last_engagement_date", "Date of the latest logged engagement.")),
        derived(integer("engagement_cadence_days", "Days between engagements the contract type calls for.")),
        derived(date("next_engagement_due", "Last engagement date plus the cadence.")),
        derived(
            select(
                "engagement_cadence_status",
                ("No History", "On Track", "Due Soon", "Overdue"),
                "Whether the next engagement is on track, due within 7 days or overdue.",
            )
        ),
        datetime("created_date", "When the row was created.", auto="created"),
        datetime("last_modified", "When the row was last changed.", auto="modified"),
        select(
            "data_source",
            ("Salesforce Sync", "Manual Entry", "Slack Import", "Webhook", "Email Import"),
            "Where the row came from.",
            default="Manual Entry",
        ),
    ),
)

PEOPLE_TEAM = Table(
    name="PeopleTeam",
    identity="Person",
    prefix="PER",
    display_key="full_name",
    featured=("role", "region", "account_count", "total_arr_managed"),
    description="The vendor's customer-success team and the accounts each person covers.",
    fields=(
        id_field("person_id", "Row id, PER-00001."),
        text("full_name", "Person's full name.", required=True),
        email("email", "Work email.", required=True, unique=True),
        select(
            "role",
            ("CSM", "AE", "SE", "Executive Sponsor", "Product Manager", "Customer Contact", "Support Engineer"),
            "Role on the account team.",
            required=True,
        ),
        text("title", "Job title, e.g. Solutions Architect."),
        select(
            "department",
            (
                "Customer Success",
                "Sales",
                "Solutions Engineering",
                "Product",
                "Support",
                "Executive",
                "Customer External",
            ),
            "Department.",
        ),
        select("region", REGIONS, "Region the person covers."),
        text("slack_user_id", "Slack member id for mentions, e.g. U04ABCDEF."),
        boolean("active_status", "Still on the team.", default=True),
        inverse(
            "accounts_assigned",
            "AccountMaster",
            ACCOUNT_TEAM,
            "Accounts where this person is CSM, AE, solutions architect or executive sponsor.",
        ),
        derived(integer("account_count", "Number of accounts assigned.")),
        derived(
            money("total_arr_managed", "Sum of the ARR of the accounts assigned.", display_name="Total ARR Managed")
        ),
        derived(number("avg_health_score", "Mean health of the assigned accounts that have one.", decimals=1)),
        derived(integer("at_risk_accounts", "Assigned accounts whose renewal risk is Critical or At Risk.")),
        derived(money("at_risk_arr", "ARR of those at-risk accounts.", display_name="At-Risk ARR")),
        derived(integer("overdue_tasks", "Open tasks this person owns that are past their due date.")),
        derived(integer("renewals_next_90_days", "Assigned accounts renewing within the next 90 days.")),
    ),
)

BUSINESS_CONTEXT = Table(
    name="BusinessContext",
    identity="Context",
    prefix="CTX",
    display_key="context_name",
    featured=("account", "digital_maturity", "cloud_strategy", "it_complexity_score"),
    description="The strategic situation of each account, one row per account.",
    account_key="account",
    fields=(
        id_field("context_id", "Row id, CTX-00001."),
        ref("account", "AccountMaster", "Account this context describes.", required=True, unique=True),
        derived(text("context_name", "The account's name, as the row's label.")),
        datetime("last_updated", "When the row was last changed.", auto="modified"),
        ref("updated_by", "PeopleTeam", "Who last reviewed the context."),
        text("business_model", "How the customer makes money."),
        select(
            "market_position",
            ("Market Leader", "Challenger", "Emerging Player", "Niche Specialist"),
            "Position in its market.",
        ),
        long_text("operating_environment", "Market, regulatory and competitive environment."),
        long_text("key_business_challenges", "The challenges that matter most this year."),
        long_text("strategic_priorities_current_year", "The customer's priorities for the current year."),
        select("digital_maturity", ("Digital Native", "Transforming", "Traditional", "Legacy"), "Digital maturity."),
        slider(
            "it_complexity_score",
            1,
            10,
            "IT landscape complexity, 1 (simple) to 10.",
            default=5,
            display_name="IT Complexity Score",
        ),
        integer("legacy_system_count", "Number of legacy systems still in use."),
        select("cloud_strategy", ("Cloud-First", "Hybrid", "On-Premise Preferred", "Multi-Cloud"), "Cloud strategy."),
        select(
            "data_classification",
            ("Highly Regulated (GDPR/HIPAA)", "Standard", "Open"),
            "Strictest class of data handled.",
        ),
    ),
)
