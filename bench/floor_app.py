"""The floor of a write over HTTP: a minimal Flask route doing one durable INSERT.

`gunicorn -c gunicorn.conf.py bench.floor_app:app`, on the same database and with the same
server settings as the product. Each POST inserts one row and commits (PostgreSQL's
default synchronous commit, so the row is on disk when the answer leaves), through the same
SQLAlchemy pool the product uses. Nothing else: no link to check, no rules, no chain, no
state, no receipt, no template. A one-click is measured as a share of this.
"""

import os
from functools import cache

from flask import Flask
from sqlalchemy import create_engine, text

TABLE = "bench_floor"
CREATE = f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, token text, at timestamptz)"

app = Flask(__name__)


@cache
def engine():
    """One pool per worker process, made on its first request, as Flask-SQLAlchemy does."""
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)


@app.post("/floor/<token>")
def floor(token):
    with engine().begin() as connection:
        connection.execute(
            text(f"INSERT INTO {TABLE} (token, at) VALUES (:token, now())"), {"token": token}
        )
    return "ok"


@app.get("/readyz")
def ready():
    return "ok"
