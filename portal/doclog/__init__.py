"""The durable log of live documents: Yjs updates checked, stored and replayed.

`yupdate` (with `yany` for lib0 values) checks an update in pure Python before
pycrdt sees it and imports only the standard library, so it can run anywhere a
message arrives. Modules here may import `portal.models`, never Flask views,
`auth` or `realtime`.
"""
