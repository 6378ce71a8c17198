"""A real, throw-away PostgreSQL server for the test session (initdb + pg_ctl on loopback)."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import psycopg


def _bindir() -> str:
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
            "`bash .ci/run` installs them, or set TEST_DATABASE_URL"
        )
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """Starts in a temp dir; PostgreSQL refuses root, so it runs as `postgres` when we are root."""

    def __init__(self, durable: bool = False):
        # Tests trade durability for speed; the benchmarks run with PostgreSQL's defaults.
        self.durable = durable
        self.bindir = _bindir()
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="consent-pg-")
        self.run_as = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")

    def _run(self, *args):
        subprocess.run(
            [*self.run_as, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> None:
        bin_ = lambda name: os.path.join(self.bindir, name)  # noqa: E731
        self._run(
            bin_("initdb"),
            "-D",
            self.data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on its data directory (again, after `halt`)."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=120"
        if not self.durable:
            options += " -F -c fsync=off"
        self._run(
            os.path.join(self.bindir, "pg_ctl"),
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            os.path.join(self.dir, "log"),
            "-w",
            "start",
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)

    def database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def halt(self) -> None:
        """Stop the server as a crash would (no shutdown checkpoint), keeping its data."""
        self._run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop")

    def stop(self):
        subprocess.run(
            [
                *self.run_as,
                os.path.join(self.bindir, "pg_ctl"),
                "-D",
                self.data,
                "-m",
                "immediate",
                "stop",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)
