"""Server-rendered pages: for employees the catalogue, a course with its registration form, and
the registrant's own page; for staff the sign-in, the leaders' courses and the admins' page.
Swedish, usable without JavaScript, under a strict CSP.

Thin handlers over the same services as the API; the view models (`views`, `registration_view`)
turn service results into what the templates in `templates/pages/` show.
"""

from typing import Any

from litestar.di import Provide

from courses.api.http.paths import is_api_path
from courses.api.pages.admin import AdminPage
from courses.api.pages.approval import ApprovalPage
from courses.api.pages.catalogue import CataloguePage
from courses.api.pages.catalogue_cards import CatalogueCards
from courses.api.pages.course import CoursePage
from courses.api.pages.errors import for_pages
from courses.api.pages.leader import LeaderPages
from courses.api.pages.manage import RegistrationPage
from courses.api.pages.security import csrf_config
from courses.api.pages.sign_in import SignInPage
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
    CataloguePage,
    CoursePage,
    RegistrationPage,
    ApprovalPage,
    SignInPage,
    LeaderPages,
    AdminPage,
]


def page_dependencies() -> dict[str, Any]:
    """What the pages keep between requests, made anew for each app."""
    catalogue = CatalogueCache()
    cards = CatalogueCards()
    return {
        "catalogue": Provide(lambda: catalogue, sync_to_thread=False),
        "catalogue_cards": Provide(lambda: cards, sync_to_thread=False),
    }
