"""Mail after commit: the worker's claim and facts (`delivery`), reminders, and the admins' view
of pending and failed mails.
"""
