"""Entry point for `flask --app app …` and WSGI servers."""

from consent import create_app

app = create_app()
