# One way to write dates and times on every page, email and the editor, whatever the language (issue 17):
# year-month-day and a 24-hour clock, in the organization's time zone (OrganizationTimezoneMiddleware).
# The editor's frontend/src/lib/dates.ts writes the same shape.
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "m-d"
YEAR_MONTH_FORMAT = "Y-m"
