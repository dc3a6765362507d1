"""The training administrators' page (`/admin`): importing a schedule file with a dry run shown
first, their organizer's courses, the audit log, and the office sections (`office`: unsent mail
with a retry button, statistics, employers), and next year's courses from this year's
(`roll_forward`: `/admin/nytt-ar` and `/admin/kurser/{slug}/kopiera`). Built on the staff
pages' shared frame.
"""
