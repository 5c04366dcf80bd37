"""Pages and the JSON API. Views are thin: parse input, call a service,
handle a domain error, render or serialise. Every check goes through
`auth.access`, which asks `auth.policy`.
"""
