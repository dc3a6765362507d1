"""The attendee list knows offers and transfers (SQLite and PostgreSQL): an offered seat says
until when it may be answered and stands between the seats and the waitlist, an open offer in
the last window and an offer that lapsed or was declined say so, and a seat handed on names
both people; the CSV and XLSX sheet says the same."""

from __future__ import annotations

from courses.clock import FixedClock
from courses.domain.rules import RegistrationStatus
from courses.services.attendance.attendees import AttendeeList, attendee_list
from courses.services.attendance.export import attendee_sheet
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from tests.conftest import ASI, local
from tests.services.admin_support import admin_of
from tests.services.offer_support import colleague, offering_asi


async def _listing(ctx: ServiceContext, **options: bool) -> AttendeeList:
    return await attendee_list(ctx, await admin_of(ctx), ASI, **options)


def _lines(listing: AttendeeList) -> list[tuple[str, str]]:
    return [(r.name, r.status_text) for r in listing.rows]


async def test_an_offered_seat_says_until_when_and_stands_before_the_waitlist(
    seeded: ServiceContext,
) -> None:
    seated, queued = await offering_asi(seeded)

    await cancel_registration(seeded, seated[0].token)

    listing = await _listing(seeded)
    assert _lines(listing) == [
        ("Deltagare 2", "Bekräftad"),
        ("Deltagare 3", "Bekräftad"),
        ("Deltagare 4", "Bekräftad"),
        ("Deltagare 5", "Erbjuden plats, svar senast 3 mars 2022 kl. 10.00"),
        ("Deltagare 6", "Reservlista"),
        ("Deltagare 1", "Avanmäld"),
    ]
    offered = listing.rows[3]
    assert offered.status is RegistrationStatus.OFFERED
    assert offered.offer_due_at == local(2022, 3, 3, 10, 0)
    assert (offered.waitlist_position, listing.rows[4].waitlist_position) == (None, 1)
    assert listing.counts[RegistrationStatus.OFFERED] == 1
    assert queued[0].id == offered.registration_id


async def test_a_declined_and_a_lapsed_offer_say_what_happened(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    seated, queued = await offering_asi(seeded, waiting=3)
    await cancel_registration(seeded, seated[0].token)

    await answer_offer(seeded, queued[0].token, accept=False)  # Deltagare 6 is offered it
    clock.set(local(2022, 3, 3, 11, 0))
    await lapse_due_offers(seeded)  # Deltagare 6 goes last; Deltagare 7 is offered it

    lines = dict(_lines(await _listing(seeded)))
    assert lines["Deltagare 5"] == "Avanmäld (tackade nej till en erbjuden plats)"
    assert lines["Deltagare 6"] == "Reservlista (svarade inte i tid på en erbjuden plats)"
    assert lines["Deltagare 7"].startswith("Erbjuden plats, svar senast 5 mars 2022 kl. ")


async def test_an_open_offer_in_the_last_window_is_shown_on_everyone_waiting(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    seated, _ = await offering_asi(seeded)
    clock.set(local(2022, 9, 13, 12, 0))

    await cancel_registration(seeded, seated[0].token)

    lines = dict(_lines(await _listing(seeded)))
    open_offer = "Reservlista, erbjuden ledig plats (den som först tackar ja får den), svar senast"
    assert lines["Deltagare 5"].startswith(open_offer)
    assert lines["Deltagare 6"].startswith(open_offer)
    assert "14 september 2022" in lines["Deltagare 5"]


async def test_a_seat_handed_on_names_both_people_and_leaves_the_short_list(
    seeded: ServiceContext,
) -> None:
    seated, _ = await offering_asi(seeded, waiting=0)

    await transfer_registration(seeded, seated[1].token, colleague())

    listing = await _listing(seeded)
    assert _lines(listing) == [  # the colleague takes the giver's place in the list
        ("Deltagare 1", "Bekräftad"),
        ("Kollega 9", "Bekräftad, ersätter Deltagare 2"),
        ("Deltagare 3", "Bekräftad"),
        ("Deltagare 4", "Bekräftad"),
        ("Deltagare 2", "Överlåten till Kollega 9"),
    ]
    assert (listing.rows[1].replaces, listing.rows[-1].replaced_by) == ("Deltagare 2", "Kollega 9")
    short = await _listing(seeded, with_cancelled=False)
    assert "Deltagare 2" not in [r.name for r in short.rows]
    assert RegistrationStatus.TRANSFERRED not in short.counts


async def test_the_sheet_words_offers_and_transfers_as_the_page_does(
    seeded: ServiceContext,
) -> None:
    seated, _ = await offering_asi(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await transfer_registration(seeded, seated[1].token, colleague())

    sheet = attendee_sheet(await _listing(seeded))

    status = list(sheet.columns).index("Status")
    words = {row[0]: row[status] for row in sheet.rows}
    assert words["Deltagare 5"] == "Erbjuden plats, svar senast 3 mars 2022 kl. 10.00"
    assert words["Deltagare 2"] == "Överlåten till Kollega 9"
    assert words["Kollega 9"] == "Bekräftad, ersätter Deltagare 2"
