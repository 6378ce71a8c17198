"""Run every benchmark and print the tables that BENCHMARKS.md records."""

import platform

from bench import checkpoint, links, reachable

if __name__ == "__main__":
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}\n")
    print("## Campaign link signing\n")
    print(links.table(links.measure()))
    print("\n## Reachable now (SQLite)\n")
    print(reachable.table(reachable.measure()))
    print("\n## Checkpointing new events (SQLite; DATABASE_URL for PostgreSQL)\n")
    print(checkpoint.table(checkpoint.measure(100_000)))
