#!/bin/sh
# Run by the postgres image once, when it creates the database on an empty volume: the
# application's role, which `init-db --grant-to consent_app` gives its grants
# (docs/production.md). The database and its tables belong to POSTGRES_USER, the owner.
set -eu
psql --variable=ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE consent_app LOGIN PASSWORD :'password';
SQL
