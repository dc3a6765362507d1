"""HTTP: the only package that knows Litestar. Grouped by who uses it:

- `public/`: the JSON API anyone may use (courses, employers, registering);
- `registrant/`: the JSON API of someone who registered, by their manage link's token;
- `staff/`: the leaders' JSON API (attendee lists, attendance);
- `admin/`: the admins' JSON API (schedule, courses, registrations, office work);
- `operations.py`: the operator's health check and metrics;
- `pages/`: the server-rendered pages, one package per audience again;
- `staff_identity.py`: who is asking on the staff side (bearer token or session cookie);
- `http/`: the plumbing every route shares (problems, body checks, rate limits, OpenAPI ...);
- `app.py`: the application factory that puts it all together.
"""

from courses.api.app import create_app

__all__ = ["create_app"]
