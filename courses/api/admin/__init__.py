"""The JSON API of the training administrators (`/api/admin/...`): importing a schedule file and
changing courses, sessions and registrations (`schedule`), and the office work of employers,
unsent mail, statistics and the audit log (`office`). Every route needs an admin; `schemas`
and `mapping` hold the admins' bodies, built on the public course shapes.
"""
