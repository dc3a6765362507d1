"""A registrant's own path: registering, looking up and cancelling by the manage link, calendar
files, and staff acting on someone's behalf.
"""
