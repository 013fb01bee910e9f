"""Erasing a firm completely: every row of every table that belongs to it, its stored files,
and the users who belonged to no other firm. An operator's act (the ``erase_firm`` command),
irreversible, in one transaction.

Tables protected by a trigger against deletion (issued invoices, synthesis report versions) let
the rows go only inside this transaction, which announces the firm being erased in the setting
``app.erasing_firm``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.storage import default_storage
from django.db import connection, transaction

from firms.models import Firm, Membership, User
from firms.tenancy import firm_scope, user_scope
from privacy.tables import firm_tables, stored_files

logger = logging.getLogger(__name__)

ERASING_SETTING = "app.erasing_firm"


@dataclass
class Erasure:
    firm_name: str
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    users: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def erase_firm(firm: Firm) -> Erasure:
    erasure = Erasure(firm_name=firm.name)
    firm_id = firm.pk
    with firm_scope(firm), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [ERASING_SETTING, str(firm_id)])
        tables = firm_tables()
        files = {name for model in tables for name in stored_files(model, firm_id)}
        if firm.logo:
            files.add(firm.logo.name)
        member_ids = set(Membership.objects.for_firm(firm).values_list("user_id", flat=True))
        # Foreign keys between these tables are checked at commit on PostgreSQL (Django's
        # deferred constraints); on SQLite the deletions must not trip over each other, so
        # every table goes in one pass with the checks off for the transaction.
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA defer_foreign_keys = ON")
        for model in tables:
            deleted = model.objects.filter(firm_id=firm_id)._raw_delete(connection.alias)
            if deleted:
                erasure.rows[model._meta.label_lower] = deleted
        Firm.objects.filter(pk=firm_id)._raw_delete(connection.alias)
        erasure.rows["firms.firm"] = 1
    # Users who belonged to no other firm (their own scope shows all of their memberships, in
    # every firm) go too, with the login records that name them.
    with transaction.atomic():
        for user in User.objects.filter(pk__in=member_ids):
            with user_scope(user.pk):
                # Every membership of theirs, in any firm, active or not (a row left behind
                # would still point to the user).
                memberships = Membership.objects.filter  # scoping: the user's own scope
                elsewhere = memberships(user=user).exists()
            if not elsewhere:
                erasure.users.append(user.email)
                for log in (AccessAttempt, AccessFailureLog, AccessLog):
                    log.objects.filter(username__iexact=user.email).delete()
                user.delete()
    for name in sorted(files):
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("stored file %s of an erased firm could not be deleted", name)
        else:
            erasure.files += 1
    return erasure
