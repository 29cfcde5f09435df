"""Mediation certificates (reg 14, 16 and 20)."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from mediation.accounts.tables import Account
from mediation.cases.tables import CaseDocument, Disagreement
from mediation.db_typing import Table
from mediation.organisations.tables import Organisation


class MediationCertificate(Table):
    """A mediation certificate (CFA s.55): numbered per service and year, kept as a PDF and as HTML."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=30)  # after_decline / unable_to_arrange / after_mediation
    number = Varchar(length=60, unique=True)
    service = ForeignKey(references=Organisation, on_delete=OnDelete.restrict, index=True)
    year = Integer()
    sequence = Integer()
    issued_on = Date()
    issued_by = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=True, default=None)
    document = ForeignKey(references=CaseDocument, on_delete=OnDelete.restrict)
    html = Text()
    created_at = Timestamptz()
