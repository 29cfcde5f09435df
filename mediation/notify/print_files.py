"""One PDF to print for a posted letter: the letter first, then each enclosure (final plan, certificate,
notice), merged with pypdf; and one PDF for a batch of letters.

The first document's catalogue is kept (its language, title, PDF/UA marks), and each later document's
structure tree is grafted under the first one's root element, with its pages' structure-parent numbers
moved past the first's, so a screen reader still finds every heading and figure of the merged file.
A document with no structure tree (an uploaded scan) joins as pages only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
)


def _nums(tree: DictionaryObject) -> list[PdfObject]:
    """The flat [key, value, key, value...] list of a number tree (only the leaves we write: /Nums)."""
    found: list[PdfObject] = []
    if "/Nums" in tree:
        found.extend(tree["/Nums"])  # type: ignore[arg-type]
    for kid in tree.get("/Kids", []):
        found.extend(_nums(kid.get_object()))
    return found


def _int(value: object) -> int:
    return int(value.get_object() if isinstance(value, PdfObject) else value)  # type: ignore[call-overload]


def _root_element(writer: PdfWriter) -> DictionaryObject | None:
    tree = writer.root_object.get("/StructTreeRoot")
    if tree is None:
        return None
    kids = tree.get_object().get("/K")
    if kids is None:
        return None
    kids = kids.get_object()
    if isinstance(kids, ArrayObject):
        kids = kids[0].get_object() if len(kids) == 1 else None
    return kids if isinstance(kids, DictionaryObject) else None


def _graft(writer: PdfWriter, reader: PdfReader, first_page: int) -> None:
    """Hang `reader`'s structure tree under the writer's root element, after its pages were appended
    from `first_page` on (pypdf maps the /Pg references of the cloned elements to those pages)."""
    source_tree = cast(DictionaryObject, reader.trailer["/Root"]).get("/StructTreeRoot")
    root = _root_element(writer)
    if source_tree is None or root is None:
        return
    source_tree = source_tree.get_object()
    tree = cast(DictionaryObject, writer.root_object["/StructTreeRoot"].get_object())
    nums = _nums(cast(DictionaryObject, tree["/ParentTree"].get_object())) if "/ParentTree" in tree else []
    offset = max((_int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    grafted = source_tree["/K"].clone(writer).get_object()
    if not isinstance(grafted, ArrayObject):
        grafted = ArrayObject([grafted.indirect_reference or grafted])
    root_kids = root.get("/K")
    if not isinstance(root_kids, ArrayObject):
        root_kids = ArrayObject([] if root_kids is None else [root_kids])
        root[NameObject("/K")] = root_kids
    for element in grafted:
        element.get_object()[NameObject("/P")] = root.indirect_reference or root
        root_kids.append(element)
    # pypdf leaves /StructParents off the pages it appends: put the source's back, moved past ours.
    for page, source in zip(writer.pages[first_page:], reader.pages, strict=True):
        if "/StructParents" in source:
            page[NameObject("/StructParents")] = NumberObject(_int(source["/StructParents"]) + offset)
        for annotation in page.get("/Annots", []) or []:
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                annotation[NameObject("/StructParent")] = NumberObject(
                    _int(annotation["/StructParent"]) + offset
                )
    source_nums = _nums(source_tree["/ParentTree"].get_object()) if "/ParentTree" in source_tree else []
    moved: list[PdfObject] = []
    for i in range(0, len(source_nums), 2):
        moved += [NumberObject(_int(source_nums[i]) + offset), source_nums[i + 1].clone(writer)]
    parent_tree = DictionaryObject({NameObject("/Nums"): ArrayObject([*nums, *moved])})
    tree[NameObject("/ParentTree")] = writer._add_object(parent_tree)
    keys = [_int(key) for key in [*nums, *moved][::2]]
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(max(keys, default=-1) + 1)


def readable(content: bytes) -> bool:
    """Whether pypdf can read the document's pages (an upload may only look like a PDF)."""
    try:
        return len(PdfReader(io.BytesIO(content)).pages) > 0
    except Exception:  # pypdf raises many kinds of errors on a damaged file; any of them means "no"
        return False


def merge_pdfs(documents: Sequence[bytes]) -> bytes:
    """The documents in order as one PDF; the first's catalogue (language, title, tags) leads."""
    if not documents:
        raise ValueError("nothing to merge")
    writer = PdfWriter(clone_from=io.BytesIO(documents[0]))
    for content in documents[1:]:
        reader = PdfReader(io.BytesIO(content))
        first_page = len(writer.pages)
        writer.append(reader)
        _graft(writer, reader, first_page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
