"""`python -m server.cli …`, the same as `cosell …`."""

import sys

from server.cli import main

sys.exit(main())
