"""`python -m courses.cli`: how `courses serve` starts its worker process."""

import sys

from courses.cli import main

sys.exit(main())
