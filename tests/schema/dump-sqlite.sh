#!/bin/sh
# Usage: dump-sqlite.sh DBFILE
# Prints a normalized, deterministic dump of a cwebui / Open WebUI SQLite
# database: every sqlite_master row (type|name|tbl_name|sql, whitespace in
# sql collapsed to single spaces) ordered by type,name; the creation order of
# the named objects; the migratehistory and alembic_version bookkeeping.
set -eu
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: $0 DBFILE" >&2
    exit 2
fi
db=$1
q() { sqlite3 -batch -noheader -list -separator '|' "$db" "$1"; }

echo "== sqlite_master (type|name|tbl_name|sql)"
q "SELECT type, name, tbl_name,
          coalesce(replace(replace(replace(sql, char(13), ' '), char(10), ' '), char(9), ' '), '')
     FROM sqlite_master ORDER BY type, name;" |
    sed -e 's/  */ /g' -e 's/ *$//'
echo "== creation order (type|name)"
q "SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid;"
echo "== migratehistory (id|name)"
q "SELECT id, name FROM migratehistory ORDER BY id;"
echo "== migratehistory.migrated_at (typeof|well-formed UTC 'YYYY-MM-DD HH:MM:SS.ffffff'|count)"
q "SELECT typeof(migrated_at),
          migrated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]',
          count(*)
     FROM migratehistory GROUP BY 1, 2 ORDER BY 1, 2;"
echo "== alembic_version"
q "SELECT version_num FROM alembic_version ORDER BY version_num;"
echo "== config rows"
q "SELECT count(*) FROM config;"
