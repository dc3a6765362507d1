"""The year's schedule: importing a schedule file (validated whole, atomic, idempotent), admins'
edits of courses and employers, and organizers.
"""
