"""The JSON API anyone may use, without signing in: the courses with their registration state
and calendars, the employers whose staff may register, and registering (`/api/courses`,
`/api/employers`). Each route is a thin handler over one service; `schemas` holds its bodies
and `mapping` turns service results into them. The other audiences reuse these course shapes.
"""
