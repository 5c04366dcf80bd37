"""The durable log of live documents: the one owner of `DocUpdate` and
`DocSnapshot` rows, and of the check Yjs bytes pass before they are kept.

A document's state is its snapshot (if any) followed by its log rows in
sequence order. The realtime server appends every accepted update here
before acknowledging it (`appending`), pages and services read documents
from here (`reading`), compaction folds the log into the snapshot
(`compaction`), and rows that would break a document are set aside
(`quarantine`). `yupdate` (with `yany` and `ycontent`) checks an update in
pure Python, importing only the standard library, before pycrdt sees it.

May import `portal.models` (and pycrdt); never Flask, `auth` or `realtime`.
"""
