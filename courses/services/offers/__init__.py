"""Waitlist offers: answering an offered seat by the manage link, and the worker's round that
lets unanswered offers lapse. The seats themselves move in the kernel
(`courses.services.seats.offer_seats`)."""
