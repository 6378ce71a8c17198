"""Run every benchmark and print the tables that BENCHMARKS.md records."""

import platform

from bench import links, reachable

if __name__ == "__main__":
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}\n")
    print("## Campaign link signing\n")
    print(links.table(links.measure()))
    print("\n## Reachable now (SQLite)\n")
    print(reachable.table(reachable.measure()))
