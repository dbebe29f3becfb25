#!/usr/bin/env python3
"""Score the deterministic analyst on the shared scenarios and on ours: `make scenarios-score`."""
import sys

from bot.scenarios import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
