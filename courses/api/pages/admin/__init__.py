"""The training administrators' page (`/admin`): importing a schedule file with a dry run shown
first, their organizer's courses, the audit log, and the office sections (`office`: unsent mail
with a retry button, statistics, employers). Built on the staff pages' shared frame.
"""
