"""Server-rendered pages for employees: the catalogue, a course with its registration form, and
the registrant's own page. Swedish, usable without JavaScript, under a strict CSP.

Thin handlers over the same services as the API; the view models (`views`, `registration_view`)
turn service results into what the templates in `templates/pages/` show.
"""

from courses.api.pages.catalogue import CataloguePage
from courses.api.pages.course import CoursePage
from courses.api.pages.errors import for_pages, is_api_path
from courses.api.pages.manage import RegistrationPage
from courses.api.pages.security import csrf_config
from courses.api.pages.templating import static_files, template_config

__all__ = [
    "PAGE_HANDLERS",
    "csrf_config",
    "for_pages",
    "is_api_path",
    "static_files",
    "template_config",
]

PAGE_HANDLERS = [CataloguePage, CoursePage, RegistrationPage]
