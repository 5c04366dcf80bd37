"""Live co-editing over Socket.IO: rooms of pycrdt documents, the y-protocols
sync and awareness handlers, the durable update log and compaction.

May import `portal.models`, `portal.services`, `portal.extensions` and ask
`auth` who the user is and what they may do.
"""
