import sys

from dkdl.cli import main

sys.exit(main())
