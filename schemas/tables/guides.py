"""The two helper tables, ViewTemplates and QuickStartGuide, and the history collections.

ViewTemplates names its target table from a select whose options are the
catalog's own table names, so it is built by a function the catalog calls.
"""

from schemas.fields import (
    date,
    id_field,
    integer,
    long_text,
    number,
    object_list,
    ref,
    select,
    text,
    text_list,
)
from schemas.table import Table


def view_templates(table_names: tuple[str, ...]) -> Table:
    return Table(
        name="ViewTemplates",
        identity="ViewTemplate",
        prefix="VIEW",
        display_key="template_name",
        featured=("target_table", "view_type", "purpose"),
        description="Ready-made Coda views: table, filter, sort, grouping, columns and formatting.",
        editable=False,
        fields=(
            id_field("template_id", "Row id, VIEW-00001."),
            text("template_name", "Name of the view.", required=True, unique=True),
            integer("sort_order", "Position in the list of templates.", minimum=1),
            text("purpose", "What the view is for."),
            text("audience", "Who uses it."),
            select("target_table", table_names, "Sync table the view is built on.", required=True),
            select(
                "view_type",
                ("Table", "Card", "Board", "Detail", "Calendar", "Chart"),
                "Coda view layout.",
                required=True,
            ),
            text("filter", "Coda filter formula, e.g. [Health Score] < 80."),
            object_list(
                "sort",
                (
                    text("column", "Column to sort by.", required=True),
                    select("direction", ("Ascending", "Descending"), "Direction.", default="Ascending"),
                ),
                "Sort order, first key first.",
            ),
            text_list("group_by", "Columns to group by, outermost first."),
            text_list("visible_columns", "Columns to show, in order."),
            object_list(
                "conditional_formatting",
                (
                    text("column", "Column the rule colours; empty for the whole row."),
                    text("condition", "Coda formula the rule applies when true.", required=True),
                    text("style", "Colour and weight, e.g. Red fill, bold.", required=True),
                ),
                "Conditional formatting rules.",
            ),
            long_text("setup_instructions", "Step-by-step setup in Coda."),
        ),
    )


QUICK_START_GUIDE = Table(
    name="QuickStartGuide",
    identity="QuickStartStep",
    prefix="STEP",
    display_key="step_title",
    featured=("step_number", "time_estimate_minutes", "tables_to_insert"),
    description="Eight ordered steps to build the workspace, with time estimates.",
    editable=False,
    fields=(
        id_field("step_id", "Row id, STEP-00001."),
        integer("step_number", "Order of the step.", required=True, minimum=1, unique=True),
        text("step_title", "Short title.", required=True),
        text("summary", "What the step achieves."),
        long_text("instructions", "What to do, click by click."),
        text_list("tables_to_insert", "Sync tables the step uses."),
        ref("related_view", "ViewTemplates", "View template the step builds, if any."),
        integer("time_estimate_minutes", "Minutes the step takes.", required=True, minimum=1),
        text("done_when", "How to tell the step is done."),
    ),
)

ACCOUNT_HEALTH_HISTORY = Table(
    name="AccountHealthHistory",
    identity="HealthSnapshot",
    prefix="AHH",
    display_key="snapshot_date",
    featured=("account", "snapshot_date", "health_score"),
    description="Dated health snapshots per account, for trend charts; feeds the 30-day trend. Read-only.",
    account_key="account",
    editable=False,
    fields=(
        id_field("snapshot_id", "Row id, AHH-00001."),
        ref("account", "AccountMaster", "Account measured.", required=True),
        date("snapshot_date", "Day of the snapshot.", required=True),
        number(
            "health_score", "Health score that day; empty when there was no data.", minimum=0, maximum=100, decimals=1
        ),
    ),
)

METRIC_HISTORY = Table(
    name="MetricHistory",
    identity="MetricValue",
    prefix="MVH",
    display_key="value_date",
    featured=("metric", "value_date", "value"),
    description="Dated values per platform health metric, for trend charts; feeds the metric trend. Read-only.",
    editable=False,
    fields=(
        id_field("metric_value_id", "Row id, MVH-00001."),
        ref("metric", "PlatformHealthMetrics", "Metric measured.", required=True),
        date("value_date", "Day of the value.", required=True),
        number("value", "Value that day.", required=True),
    ),
)
