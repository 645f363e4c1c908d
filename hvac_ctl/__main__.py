import sys

from hvac_ctl.cli import main

sys.exit(main())
