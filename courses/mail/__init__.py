"""Mail: the outbox worker, the SMTP and file transports, messages and calendar invites.

The only package that knows aiosmtplib, icalendar and the mail templates. The services write
outbox rows (`courses.services.notices`); everything here turns them into mail.
"""
