"""The frozen program's entry point: the `kirjaamo` command line (`desktop.cli:main`), as installed by pip."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
