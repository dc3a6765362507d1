"""The JSON API of course leaders (and admins, who may do what a leader may): a course's
attendee list as JSON, CSV or XLSX, and marking attendance (`/api/courses/{slug}/attendees...`,
`/api/courses/{slug}/attendance`). Every route needs a staff identity
(`courses.api.staff_identity`); a course that is not the leader's answers 404 like a missing one.
"""
