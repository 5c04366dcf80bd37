"""Sign-in, sessions, invitations, tokens and the permission policy.

May import `portal.models`, `portal.services` and `portal.extensions`; never
`realtime`. `auth.policy` imports nothing outside the standard library.
"""
