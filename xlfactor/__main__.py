import sys

from xlfactor.cli import main

sys.exit(main())
