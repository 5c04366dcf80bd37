"""Signals that let `realtime` react to changes made through pages and the API
without `portal` importing `realtime`.

`access_changed` is sent after a commit that may change who can see or edit
documents of a case (member removed or joined, draft shared or unshared,
advice submitted or reopened). Receivers get `case_id` and may get `document_id`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

access_changed = _signals.signal("access-changed")

# Sent after a browser sign-in is ended (signing out); receivers get `sign_in_id`.
signed_out = _signals.signal("signed-out")
