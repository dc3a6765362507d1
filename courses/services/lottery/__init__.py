"""The lottery: the draw once under the course lock, its mails, and what an import may change.
Applications before the draw are taken by the seat kernel (`seats.applications`).
"""
