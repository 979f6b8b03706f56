from __future__ import annotations

import sys

from aomori_desktop.cli import main

sys.exit(main())
