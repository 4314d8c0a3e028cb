"""`python -m voicedesk`: the same command line as the `voicedesk` script."""

import sys

from voicedesk.cli import main

sys.exit(main())
