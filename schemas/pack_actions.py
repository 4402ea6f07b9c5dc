"""The pack's actions: what a CSM does from a Coda button or automation, declared once.

The service answers each at `POST /v1/actions/<Name>` (`service/actions.py` says what it
does) and the pack shim is generated from these declarations.  Each action returns the
row it wrote, in the served form of `table`, so that Coda updates the synced row in place.
Select parameters take their options from the catalog, so they cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.catalog import get_table
from schemas.pack_formulas import ACCOUNT, Param


@dataclass(frozen=True)
class PackAction:
    name: str
    description: str
    params: tuple[Param, ...]
    table: str  # the table whose row the action returns


def _options(table: str, key: str) -> tuple[str, ...]:
    return get_table(table).field(key).options


PACK_ACTIONS: tuple[PackAction, ...] = (
    PackAction(
        "LogEngagement",
        "Log a customer engagement (a call, QBR, workshop...) on an account; its last engagement date and "
        "engagement score move with it.",
        (
            ACCOUNT,
            Param(
                "engagementType",
                "string",
                "Kind of engagement.",
                options=_options("EngagementLog", "engagement_type"),
            ),
            Param("sentiment", "string", "Customer sentiment.", options=_options("EngagementLog", "sentiment")),
            Param("engagementDate", "date", "When it took place; today when left out.", optional=True),
            Param("relationshipDepthScore", "number", "Depth of the relationship shown, 1-10.", optional=True),
            Param("notes", "string", "Free notes.", optional=True),
            Param("nextEngagementDate", "date", "Next engagement agreed.", optional=True),
        ),
        "EngagementLog",
    ),
    PackAction(
        "CreateTask",
        "Create a task on an account; the owner defaults to the account's CSM.",
        (
            ACCOUNT,
            Param("taskTitle", "string", "What to do."),
            Param("dueDate", "date", "Due date.", optional=True),
            Param(
                "priority",
                "string",
                "Priority; Medium when left out.",
                optional=True,
                options=_options("ActivitiesTasks", "priority"),
            ),
            Param(
                "taskType", "string", "Kind of task.", optional=True, options=_options("ActivitiesTasks", "task_type")
            ),
            Param(
                "ownerName",
                "string",
                "Who does it (a person's name or id); the account's CSM when left out.",
                optional=True,
            ),
            Param("description", "string", "Details.", optional=True),
        ),
        "ActivitiesTasks",
    ),
    PackAction(
        "CompleteTask",
        "Mark a task done today (status Done, completed date today).",
        (Param("taskId", "string", "The task's id, e.g. TSK-00001."),),
        "ActivitiesTasks",
    ),
    PackAction(
        "RecordMetricValue",
        "Record a platform health metric's value: sets its current value and adds the value to its history "
        "(one value a day: a second value on the same day replaces the first).",
        (
            ACCOUNT,
            Param("metricName", "string", "The metric's name on that account (any case)."),
            Param("value", "number", "The measured value."),
            Param("valueDate", "date", "Day of the value; today when left out.", optional=True),
        ),
        "PlatformHealthMetrics",
    ),
)


def get_action(name: str) -> PackAction | None:
    return next((a for a in PACK_ACTIONS if a.name == name), None)
