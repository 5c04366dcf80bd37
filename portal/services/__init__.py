"""Plain typed functions over the models. They take a SQLAlchemy `Session`
and their other collaborators as arguments and never touch Flask's `request`,
`session` or `g`. Imports: `portal.models`, `portal.domain` and libraries only.
"""
