"""The floor of a page: a minimal Flask route rendering one indexed row.

`gunicorn -c gunicorn.conf.py bench.floor_page:app`, on the same database and with the same
server settings as the product. Each GET reads one person's row by its unique public id
(an index lookup) through the same SQLAlchemy pool the product uses and renders it in a
small Jinja template. Nothing else: no link to check, no catalogue, no notices, no Babel,
no state, no form. The preference page is measured as a share of this.
"""

import os
from functools import cache

from flask import Flask, abort, render_template_string
from sqlalchemy import create_engine, text

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ row.public_id }}</title></head>
<body><main><h1>{{ row.public_id }}</h1><p>{{ row.email }}</p>
<p>{{ row.locale }} {{ row.country }}</p></main></body></html>"""

app = Flask(__name__)


@cache
def engine():
    """One pool per worker process, made on its first request, as Flask-SQLAlchemy does."""
    return create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)


@app.get("/floor/page/<public_id>")
def page(public_id):
    with engine().connect() as connection:
        row = connection.execute(
            text("SELECT public_id, email, locale, country FROM subjects WHERE public_id = :id"),
            {"id": public_id},
        ).first()
    if row is None:
        abort(404)
    return render_template_string(PAGE, row=row)


@app.get("/readyz")
def ready():
    return "ok"
