"""The pages anyone may open, without a link or a sign-in: the catalogue (`/`), a course's page
(`/kurser/{slug}`) and the registration form on it, which POSTs there. With their view models
(`course_view`, `catalogue_cards`), the form's rules (`registration_form`) and how they word a
course's state and seats (`wording`).
"""
