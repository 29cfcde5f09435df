"""What a mediation meeting agreed, issue by issue."""

from piccolo.columns import Boolean, ForeignKey, Text, Varchar
from piccolo.columns.base import OnDelete

from mediation.cases.tables import Disagreement
from mediation.db_typing import Table


class IssueOutcome(Table):
    """Issue by issue: what the mediation achieved (agreed / partly_agreed / not_agreed)."""

    disagreement = ForeignKey(references=Disagreement, on_delete=OnDelete.restrict, index=True)
    issue = Varchar(length=20)  # a plan section, or "decision" for decisions not about plan contents
    outcome = Varchar(length=20)
    note = Text(default="")
    appealable = Boolean(default=False)
