"""The seat kernel: every move that takes, holds or frees a seat under the course row's lock.

Enrolling with fair seats, promoting from the waitlist, the share's end, lottery applications
and holding a seat for the manager's approval all live here, and every feature calls them
rather than writing seats itself. The guard's statements are in `courses.storage.seats`.
"""
