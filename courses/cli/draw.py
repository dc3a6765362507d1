"""`courses draw SLUG [--verify]`: a lottery course's draw now, or a check of a past one.

The worker draws each lottery at the start of its draw day; this is for an admin who wants it
drawn earlier, or who must show (for an appeal) that the recorded draw is what its seed gives.
"""

from __future__ import annotations

import sys

from courses.clock import SystemClock
from courses.domain.errors import DomainError
from courses.domain.permissions import Actor
from courses.domain.rules import swedish_date
from courses.domain.wording import swedish_time
from courses.services.context import ServiceContext
from courses.services.lottery.draw import DrawOutcome, Verification, draw, verify_draw
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["draw_now", "render_draw", "render_verification"]


def _asked(outcome: DrawOutcome) -> str:
    n = outcome.pending_approval
    if not n:
        return ""
    return f" ({'en väntar' if n == 1 else f'{n} väntar'} på chefens godkännande)"


def render_draw(outcome: DrawOutcome, settings: Settings) -> str:
    when = outcome.drawn_at.astimezone(settings.tz)
    at = f"{swedish_date(when.date())} kl. {swedish_time(when.time())}"
    if not outcome.drawn_now:
        return (
            f"{outcome.title} ({outcome.slug}) är redan lottad, {at} (frö {outcome.seed}). "
            "Inget ändrades: en kurs lottas bara en gång."
        )
    return (
        f"Lottade {outcome.title} ({outcome.slug}) {at}: "
        f"{outcome.seated} av {outcome.applications} sökande fick plats{_asked(outcome)}, "
        f"{outcome.waitlisted} står på reservlistan i dragen ordning. "
        f"Frö {outcome.seed}.\n"
        f"Alla sökande får besked med mejl. Lottningen står i granskningsloggen; "
        f"`courses draw {outcome.slug} --verify` kontrollerar den."
    )


def render_verification(checked: Verification) -> str:
    if checked.ok:
        return (
            f"Lottningen av {checked.slug} stämmer: fröet {checked.seed} ger samma ordning och "
            f"samma {checked.seated} platser bland {checked.applications} sökande som "
            "granskningsloggen visar."
        )
    lines = [f"Lottningen av {checked.slug} stämmer INTE med granskningsloggen:"]
    lines += [f"  - {problem}" for problem in checked.problems]
    return "\n".join(lines)


def _show_progress(stage: str, count: int) -> None:
    if count < 1000:
        return  # a short draw needs no progress
    what = {
        "applications": f"{count} ansökningar lästa, lottar …",
        "mails": f"skriver besked till {count} sökande i utkorgen …",
    }[stage]
    print(f"  … {what}", file=sys.stderr, flush=True)


async def draw_now(settings: Settings, slug: str, *, verify: bool) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        actor = Actor.command_line()
        if verify:
            checked = await verify_draw(ctx, slug, actor=actor)
            print(render_verification(checked))
            return 0 if checked.ok else 1
        outcome = await draw(ctx, slug, actor=actor, progress=_show_progress)
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(render_draw(outcome, settings))
    return 0
