"""The arguments of the `courses token`, `courses staff` and `courses organizer` commands,
apart from what runs them, so that building the parser imports nothing heavy."""

from __future__ import annotations

import argparse

__all__ = ["add_organizer_arguments", "add_staff_arguments"]


def add_staff_arguments(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    token = commands.add_parser("token", help="API-tokens för program (skapa, visa, återkalla)")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="skapa en token; den visas en enda gång")
    role = create.add_mutually_exclusive_group(required=True)
    role.add_argument("--admin", action="store_true", help="administratör för en arrangör")
    role.add_argument("--leader", metavar="EPOST", help="kursledare med den här adressen")
    role.add_argument("--superadmin", action="store_true", help="alla arrangörer")
    create.add_argument("--organizer", metavar="NYCKEL", help="arrangören (för --admin)")
    create.add_argument("--name", default="", help="vad token används till, t.ex. 'export'")
    actions.add_parser("list", help="visa alla tokens (inte själva hemligheterna)")
    revoke = actions.add_parser("revoke", help="återkalla en token")
    revoke.add_argument("id", type=int)

    staff = commands.add_parser("staff", help="personer med administratörsbehörighet")
    staff_actions = staff.add_subparsers(dest="action", required=True)
    add = staff_actions.add_parser("add", help="ge en person administratörsbehörighet")
    add.add_argument("email")
    staff_role = add.add_mutually_exclusive_group(required=True)
    staff_role.add_argument("--admin", action="store_true", help="administratör för en arrangör")
    staff_role.add_argument("--superadmin", action="store_true", help="alla arrangörer")
    add.add_argument("--organizer", metavar="NYCKEL", help="arrangören (för --admin)")
    staff_actions.add_parser("list", help="visa alla administratörer")
    remove = staff_actions.add_parser("remove", help="ta bort en behörighet")
    remove.add_argument("id", type=int)


def add_organizer_arguments(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    organizer = commands.add_parser("organizer", help="arrangörerna (visa, byt nyckel)")
    actions = organizer.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="visa arrangörerna med nyckel och namn")
    rename = actions.add_parser(
        "rename",
        help="ge en arrangör en ny nyckel, t.ex. `rename default kronoberg` innan en andra "
        "arrangör läggs till; kurser, arbetsgivare och behörigheter följer med",
    )
    rename.add_argument("old", metavar="NYCKEL")
    rename.add_argument("new", metavar="NY_NYCKEL")
