"""``python -m kaderpers.cli``."""

import sys

from . import main

sys.exit(main())
