"""``python -m plancheck.lsp``: the language server (same as ``plancheck-lsp``)."""

import sys

from plancheck.lsp.server import main

sys.exit(main())
