"""Gap checks, one module per quality test in domain/EHCP.md §4.

Each check takes a `CaseMaterial` and returns `Finding`s. They import only the
assistant's own modules and the standard library; `rules.run_checks` runs them.
"""
