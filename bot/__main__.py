"""Entry point for `python -m bot …`."""

import os
import sys

from bot.cli.main import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # the reader went away (`python -m bot i18n status | head`): not an error of ours
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
sys.exit(code)
