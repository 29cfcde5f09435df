"""Typing shim for Piccolo: what its Table class gives every table at run time but does not declare.

Piccolo adds the `id` primary key (a `Serial`) to each table class when the class is made, so mypy sees
`Account.id` and `account.id` as missing. Type checkers see the subclass below, which declares it; at run time
`Table` is Piccolo's own class, so nothing about the tables, their columns or the migrations changes.
Tables import `Table` from here instead of `piccolo.table`.

`Condition` is any WHERE clause: Piccolo's `&` and `|` return `And`/`Or`, which its own `Where | WhereRaw`
annotations do not cover, so conditions built up step by step are typed with this.
"""

from typing import TYPE_CHECKING

from piccolo.custom_types import Combinable as Condition

if TYPE_CHECKING:
    from piccolo.columns import Serial
    from piccolo.table import Table as _PiccoloTable

    class Table(_PiccoloTable):
        id: Serial

else:
    from piccolo.table import Table

__all__ = ["Condition", "Table"]
