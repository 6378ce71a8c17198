"""Run every benchmark and print the tables that BENCHMARKS.md records."""

import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import links  # noqa: E402
import reachable  # noqa: E402

if __name__ == "__main__":
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}\n")
    print("## Campaign link signing\n")
    print(links.table(links.measure()))
    print("\n## Reachable now (SQLite)\n")
    print(reachable.table(reachable.measure()))
