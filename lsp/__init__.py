"""plancheck's language server (``plancheck-lsp``): diagnostics, completion, hover,
definitions, symbols, code actions, formatting and folding for Dagger v0.1 CUE plans.

``server.py`` wires pygls to ``session.py`` (buffers, debounced checks, published
diagnostics) and to ``features/`` (one plain function per editor feature).
"""
