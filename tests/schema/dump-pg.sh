#!/bin/sh
# Usage: dump-pg.sh   (connection from the libpq environment: PGHOST, PGPORT,
#                      PGDATABASE, PGUSER, PGPASSWORD ...)
# Prints a normalized, deterministic dump of a cwebui / Open WebUI PostgreSQL
# database: the `pg_dump -s --no-owner --no-privileges` output without
# comments, blank lines, SET lines, the search_path set_config line and the
# \restrict / \unrestrict lines (random key, pg_dump >= 15.14), in pg_dump's
# own (type, name) order; then the bookkeeping rows read with psql.
# PG_DUMP / PSQL may name other binaries (default: from PATH).
set -eu
PG_DUMP=${PG_DUMP:-pg_dump}
PSQL=${PSQL:-psql}

echo "== pg_dump -s --no-owner --no-privileges"
"$PG_DUMP" -s --no-owner --no-privileges |
    sed -e 's/[[:space:]]*$//' |
    grep -v -e '^--' -e '^$' -e '^SET ' -e '^SELECT pg_catalog\.set_config(' \
            -e '^\\restrict ' -e '^\\unrestrict '

q() { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }
echo "== migratehistory (id|name)"
q "SELECT id, name FROM migratehistory ORDER BY id;"
echo "== migratehistory.migrated_at (type|not null|count)"
q "SELECT pg_typeof(migrated_at), migrated_at IS NOT NULL, count(*) FROM migratehistory GROUP BY 1, 2 ORDER BY 1, 2;"
echo "== sequences (name|last_value|is_called)"
for s in config_id_seq document_id_seq migratehistory_id_seq prompt_id_seq; do
    q "SELECT '$s', last_value, is_called FROM public.$s;"
done
echo "== alembic_version"
q "SELECT version_num FROM alembic_version ORDER BY version_num;"
echo "== config rows"
q "SELECT count(*) FROM config;"
