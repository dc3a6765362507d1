"""Server-rendered pages, Swedish, usable without JavaScript, under a strict CSP. One package per
audience, each with its controllers, view models and wording side by side:

- `public/`: the catalogue (each organizer's, and the organizers on `/` when there are
  several), a course's page with its registration form, and the accessibility statement;
- `registrant/`: the registrant's own page by their manage link (cancel, certificate, data),
  and `/mina-anmalningar`, where anyone may have their registrations' links mailed;
- `manager/`: the manager's approval page by the approval link;
- `staff/`: signing in, and the leaders' courses, attendee lists, attendance and messages;
- `admin/`: the admins' page (schedule import, audit log, mail, statistics, employers).

What several audiences share sits here: `templating` (the one way a page is answered), `csrf`
(the forms' protection), `errors` (error pages for every path outside the API), `wording`
(dates, places and sessions in Swedish), `views` (leaders and sessions as pages show them),
`forms` (a form shown again with its errors) and `tokens` (how a page reached by a mailed
link treats its token). Thin handlers over the same services as the API; the templates are in
`templates/pages/`.
"""

from typing import Any

from litestar.di import Provide

from courses.api.http.paths import is_api_path
from courses.api.pages.admin.admin import AdminPage
from courses.api.pages.admin.cancel import CancelCoursePage
from courses.api.pages.admin.course_editor import CourseEditorPage
from courses.api.pages.admin.employers import EmployersPage
from courses.api.pages.admin.roll_forward import RollForwardPages
from courses.api.pages.admin.staff import StaffPage
from courses.api.pages.csrf import csrf_config
from courses.api.pages.errors import for_pages
from courses.api.pages.manager.approval import ApprovalPage
from courses.api.pages.public.accessibility import AccessibilityPage
from courses.api.pages.public.catalogue import CataloguePage
from courses.api.pages.public.catalogue_cards import CatalogueCards
from courses.api.pages.public.course import CoursePage
from courses.api.pages.registrant.manage import RegistrationPage
from courses.api.pages.registrant.my_registrations import MyRegistrationsPage
from courses.api.pages.staff.attendee_actions import AttendeeActionPages
from courses.api.pages.staff.leader import LeaderPages
from courses.api.pages.staff.messages import MessagePages
from courses.api.pages.staff.register_for import RegisterForPage
from courses.api.pages.staff.sign_in import SignInPage
from courses.api.pages.templating import static_files, template_config
from courses.services.catalogue.cache import CatalogueCache

__all__ = [
    "PAGE_HANDLERS",
    "csrf_config",
    "for_pages",
    "is_api_path",
    "page_dependencies",
    "static_files",
    "template_config",
]

PAGE_HANDLERS = [
    AccessibilityPage,
    CataloguePage,
    CoursePage,
    RegistrationPage,
    MyRegistrationsPage,
    ApprovalPage,
    SignInPage,
    LeaderPages,
    RegisterForPage,
    AttendeeActionPages,
    MessagePages,
    AdminPage,
    CourseEditorPage,
    RollForwardPages,
    CancelCoursePage,
    EmployersPage,
    StaffPage,
]


def page_dependencies() -> dict[str, Any]:
    """What the pages keep between requests, made anew for each app."""
    catalogue = CatalogueCache()
    cards = CatalogueCards()
    return {
        "catalogue": Provide(lambda: catalogue, sync_to_thread=False),
        "catalogue_cards": Provide(lambda: cards, sync_to_thread=False),
    }
