"""Option lists shared by more than one table (seed 001's picklists)."""

REGIONS = ("EMEA", "Americas", "APAC")
PRIORITIES = ("P0-Critical", "P1-High", "P2-Medium", "P3-Low")
LEVELS = ("Critical", "High", "Medium", "Low")
MATURITY = ("1-Initial", "2-Developing", "3-Defined", "4-Managed", "5-Optimizing")
CONTRACT_TYPES = ("Signature Success", "Premier Success", "Standard")
INDUSTRIES = (
    "Maritime",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Manufacturing",
    "Energy",
    "Public Sector",
    "Technology",
    "Telecommunications",
    "Transportation & Logistics",
)
OBJECTIVE_STATUSES = (
    "Not Started",
    "Planning",
    "In Progress",
    "On Track",
    "At Risk",
    "Achieved",
    "Blocked",
    "Cancelled",
)
MEASUREMENT_PERIODS = ("Monthly", "Quarterly", "Annual")
