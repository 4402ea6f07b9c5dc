"""The catalog covers every column of seed 001 and is internally consistent."""

from __future__ import annotations

import re

import pytest

from schemas import ALL_TABLES, SYNC_TABLES, get_table
from schemas.describe import describe_table

# Seed 001's columns, table by table, exactly as the blueprint names them.
SEED_001 = {
    "AccountMaster": """Account_ID Account_Name Industry_Vertical Industry_Sub_Sector Contract_Type
        Contract_Start_Date Contract_End_Date Renewal_Date Days_To_Renewal ARR ACV Customer_Annual_Revenue
        Employee_Count S&P_Rating Customer_Success_Manager Account_Executive Solutions_Architect
        Executive_Sponsor_MuleSoft Health_Score Platform_Technical_Health Business_Value_Realization
        Stakeholder_Engagement Strategic_Alignment Health_Score_Trend_30d Health_Score_Change_Flag
        Renewal_Risk_Level Account_Status Geography Country Primary_Contact_Name Primary_Contact_Email
        Primary_Contact_Role Last_Engagement_Date Engagement_Cadence_Days Next_Engagement_Due Created_Date
        Last_Modified Data_Source""",
    "PeopleTeam": """Person_ID Full_Name Email Role Department Region Slack_User_ID Active_Status
        Accounts_Assigned Account_Count Total_ARR_Managed Avg_Health_Score""",
    "BusinessContext": """Context_ID Account Last_Updated Updated_By Business_Model Market_Position
        Operating_Environment Key_Business_Challenges Strategic_Priorities_Current_Year Digital_Maturity
        IT_Complexity_Score Legacy_System_Count Cloud_Strategy Data_Classification""",
    "StrategicObjectives": """Objective_ID Account Strategic_Pillar Objective_Name Description Business_Driver
        Quantified_Goal Target_Date Business_Owner Business_Value_USD MuleSoft_Relevance Status Progress_Percent
        Health_Indicator Last_Review_Date Notes Linked_Capabilities Linked_Value_Streams Linked_Initiatives
        MuleSoft_Impact_Score""",
    "PlatformCapabilities": """Capability_ID Account Capability_Domain Capability_Name Description
        Current_Maturity Current_Maturity_Numeric Target_Maturity Target_Maturity_Numeric Maturity_Gap Gap_Status
        Linked_Strategic_Objectives Supporting_Value_Streams Investment_Required_USD Priority
        Implementation_Status Business_Impact_Statement Technical_Owner_Customer Last_Assessment_Date""",
    "ValueStreams": """Stream_ID Account Value_Stream_Name Business_Process Process_Owner
        Linked_Strategic_Objectives Enabled_MuleSoft_Capabilities Integration_Endpoints APIs_Consumed
        Annual_Transaction_Volume Cycle_Time_Baseline_Hours Cycle_Time_Current_Hours Cycle_Time_Target_Hours
        Cycle_Time_Reduction_Percent Cycle_Time_Progress_Indicator Cost_Per_Transaction_Before_USD
        Cost_Per_Transaction_After_USD Annual_Cost_Savings_USD Revenue_Impact_USD Total_Business_Value_USD
        Customer_Satisfaction_Score Operational_Risk_Level""",
    "APIPortfolio": """API_ID Account API_Name API_Type API_Version Business_Capability Environment
        Linked_Value_Streams Linked_Strategic_Objectives Monthly_Transactions Annual_Transaction_Volume
        Consuming_Applications Avg_Response_Time_ms SLA_Target_ms SLA_Compliance_Percent Error_Rate_Percent
        Uptime_Percent Revenue_Attribution_USD Business_Criticality Business_Value_Score Health_Status Owner_Team
        Documentation_Quality Last_Deployed_Date Last_Sync_From_Anypoint""",
    "PlatformHealthMetrics": """Metric_ID Account Metric_Category Metric_Name Metric_Type Unit
        Measurement_Frequency Current_Value Target_Value Threshold_Warning Threshold_Critical Health_Status
        Health_Status_Numeric Trend_30d_Change Trend_Direction Trend_Is_Good Alert_Status Last_Measured
        Linked_Capability Linked_Strategic_Objective Data_Source Business_Impact_Statement""",
    "Initiatives": """Initiative_ID Account Initiative_Name Initiative_Type Proposed_By Linked_Strategic_Objectives
        Linked_Capabilities Business_Driver Priority Phase Status Status_Color Start_Date Target_Completion_Date
        Actual_Completion_Date Days_Overdue On_Time_Flag Investment_Amount_USD MuleSoft_Services_USD
        Customer_Investment_USD Expected_Annual_Benefit_USD Realized_Annual_Benefit_USD Expected_Payback_Months
        Three_Year_ROI_Percent Success_Criteria Blockers Notes Next_Milestone Owner_MuleSoft Owner_Customer
        Last_Update_Date""",
    "RiskRegister": """Risk_ID Account Risk_Category Risk_Title Description Root_Cause Mitigation_Strategy
        Affected_Capability Affected_APIs Affected_Value_Streams Linked_Strategic_Objective_at_Risk Impact
        Impact_Score_1_5 Probability Probability_Score_1_5 Risk_Score Risk_Level Potential_Business_Impact_USD
        Potential_Business_Impact_Operational Mitigation_Initiative Mitigation_Owner Target_Resolution_Date
        Date_Identified Date_Closed Status""",
    "StakeholderOutcomes": """Outcome_ID Account Stakeholder_Type Stakeholder_Name Stakeholder_Role
        Outcome_Statement Linked_Strategic_Objective Linked_Value_Stream Linked_API_Services Success_Metric_Name
        Baseline_Value Current_Value Target_Value Unit Improvement_Percent Target_Achievement_Percent Status
        Measurement_Method Last_Measured Measurement_Frequency""",
    "EngagementLog": """Engagement_ID Account Engagement_Date Engagement_Type Attendees_MuleSoft Attendees_Customer
        Customer_Seniority Topics_Discussed Action_Items Next_Steps Notes Sentiment Strategic_Alignment_Score
        Technical_Health_Score Relationship_Depth_Score Next_Engagement_Date""",
}

# Where our generic key differs from seed 001's name (design §2: the vendor is "the platform").
RENAMED = {
    "executive_sponsor_mulesoft": "executive_sponsor_vendor",
    "s&p_rating": "sp_rating",
    "mulesoft_relevance": "platform_relevance",
    "mulesoft_impact_score": "platform_impact_score",
    "stream_id": "value_stream_id",
    "enabled_mulesoft_capabilities": "enabled_capabilities",
    "last_sync_from_anypoint": "last_synced",
    "mulesoft_services_usd": "vendor_services_usd",
    "owner_mulesoft": "owner_vendor",
    "impact_score_1_5": "impact_score",
    "probability_score_1_5": "probability_score",
    "linked_strategic_objective_at_risk": "linked_strategic_objectives_at_risk",
    "attendees_mulesoft": "attendees_vendor",
}


@pytest.mark.parametrize("table_name", sorted(SEED_001))
def test_every_seed_001_column_is_declared(table_name):
    keys = set(get_table(table_name).by_key)
    for column in SEED_001[table_name].split():
        key = RENAMED.get(column.lower(), column.lower())
        assert key in keys, f"{table_name}: seed 001 column {column} has no field {key}"


def test_no_vendor_name_leaks_into_keys():
    for table in ALL_TABLES:
        for f in table.fields:
            assert "mulesoft" not in f.key and "anypoint" not in f.key, (table.name, f.key)


def test_the_original_sixteen_sync_tables_in_order_then_the_two_history_tables():
    assert [(t.name, t.identity, t.prefix) for t in SYNC_TABLES] == [
        ("AccountMaster", "Account", "ACC"),
        ("PeopleTeam", "Person", "PER"),
        ("BusinessContext", "Context", "CTX"),
        ("StrategicObjectives", "Objective", "OBJ"),
        ("Initiatives", "Initiative", "INI"),
        ("ValueStreams", "ValueStream", "VS"),
        ("StakeholderOutcomes", "Outcome", "OUT"),
        ("PlatformCapabilities", "Capability", "CAP"),
        ("APIPortfolio", "API", "API"),
        ("PlatformHealthMetrics", "Metric", "MET"),
        ("RiskRegister", "Risk", "RISK"),
        ("EngagementLog", "Engagement", "ENG"),
        ("SuccessPlanTracker", "SuccessPlan", "SPT"),
        ("ActivitiesTasks", "Task", "TSK"),
        ("ViewTemplates", "ViewTemplate", "VIEW"),
        ("QuickStartGuide", "QuickStartStep", "STEP"),
        ("AccountHealthHistory", "HealthSnapshot", "AHH"),
        ("MetricHistory", "MetricValue", "MVH"),
    ]


def test_keys_are_snake_case_and_described():
    for table in ALL_TABLES:
        for f in table.fields:
            assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", f.key), (table.name, f.key)
            assert f.description.strip(), (table.name, f.key)


def test_seed_001_option_lists_are_kept():
    assert get_table("StrategicObjectives").field("status").options == (
        "Not Started",
        "Planning",
        "In Progress",
        "On Track",
        "At Risk",
        "Achieved",
        "Blocked",
        "Cancelled",
    )
    assert get_table("RiskRegister").field("probability").options == (
        "Very Likely (>75%)",
        "Likely (50-75%)",
        "Possible (25-50%)",
        "Unlikely (<25%)",
    )
    assert "Transportation & Logistics" in get_table("AccountMaster").field("industry_vertical").options
    assert get_table("AccountMaster").field("contract_type").options == (
        "Signature Success",
        "Premier Success",
        "Standard",
    )


def test_each_link_is_stored_once_and_its_inverse_derived():
    objectives = get_table("StrategicObjectives")
    for key in ("linked_capabilities", "linked_value_streams", "linked_initiatives"):
        assert objectives.field(key).derived and objectives.field(key).inverse_of
    assert get_table("PeopleTeam").field("accounts_assigned").derived
    assert not get_table("PlatformCapabilities").field("linked_strategic_objectives").derived


def test_published_schema_marks_references_and_derived_fields():
    schema = describe_table(get_table("AccountMaster"))
    by_key = {f["key"]: f for f in schema["fields"]}
    assert by_key["customer_success_manager"]["reference"] == {
        "table": "PeopleTeam",
        "identity": "Person",
        "many": False,
        "id_property": "person_id",
        "display_property": "full_name",
    }
    assert by_key["health_score"]["derived"] is True and by_key["health_score"]["writable"] is False
    assert by_key["arr"]["hint"] == "Currency" and by_key["arr"]["required"] is True
    assert by_key["renewal_date"]["hint"] == "Date"
    assert schema["id_property"] == "account_id" and schema["display_property"] == "account_name"
