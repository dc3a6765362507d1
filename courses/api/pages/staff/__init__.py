"""The pages of staff, leaders and admins alike: signing in with a mailed link and out
(`/logga-in`, `/logga-ut`), a leader's courses with each course's attendee list, attendance forms
and printable attendance sheet (`/kursledare`), and what every staff page shares (`common`: the
signed-in header, private headers, safe return addresses after signing in).
"""
