"""Re-spell stored e-mail addresses as the account key now defines it (NFKC, then case folding).

Before, addresses were only trimmed and lower-cased, so `Straße@x.de` was kept as `straße@x.de` while
a log-in now looks up `strasse@x.de`. An address whose new spelling another account already has
keeps its old spelling (and still signs in with it as typed before), rather than losing either account.
"""

import logging

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.accounts.emails import EmailRefused, canonical_email

ID = "2026-12-03T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "e-mail addresses as NFKC + case-folded keys"

log = logging.getLogger(__name__)


async def respell() -> None:
    from server.accounts.tables import User

    rows = await User.select(User.id, User.email)
    taken = {r["email"] for r in rows}
    for row in rows:
        try:
            key = canonical_email(row["email"])
        except EmailRefused:
            continue  # an address today's rules refuse still signs in as stored
        if key == row["email"]:
            continue
        if key in taken:
            log.warning("account %s keeps its e-mail spelling: another account already has its new spelling",
                        row["id"])
            continue
        await User.update({User.email: key}).where(User.id == row["id"])
        taken.discard(row["email"])
        taken.add(key)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(respell)
    return manager
