"""The schema cwebui creates on an empty database is exactly the Python
0.6.32 one (tests/schema/expected-*.txt, written from the reference), and a
database at another alembic revision is refused without being written."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import BUILDDIR, REPO_ROOT, StackError

SCHEMA = REPO_ROOT / "tests" / "schema"
CLI = BUILDDIR / "src" / "cli" / "cwebui"


def dump(stack):
    if stack.engine == "sqlite":
        path = stack.database_url[len("sqlite:///"):]
        cmd, env = [str(SCHEMA / "dump-sqlite.sh"), path], os.environ
    else:
        pg = stack._pg
        cmd = [str(SCHEMA / "dump-pg.sh")]
        env = dict(os.environ, PGHOST=pg.host, PGPORT=str(pg.port),
                   PGUSER=pg.user, PGDATABASE=stack._pg_dbname)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_created_schema_equals_reference(stack):
    name = "expected-sqlite.txt" if stack.engine == "sqlite" else \
        "expected-pg.txt"
    expected = (SCHEMA / name).read_text()
    got = dump(stack)
    assert got.splitlines() == expected.splitlines()


def test_restart_keeps_schema_and_rows(stack):
    before = dump(stack)
    stack.restart()
    assert dump(stack) == before
    rows = stack.sql("SELECT version_num FROM alembic_version")
    assert [r["version_num"] for r in rows] == ["a5c220713937"]


def cli(stack, *args):
    env = dict(os.environ, DATABASE_URL=stack.database_url,
               DATA_DIR=str(stack.data_dir), WEBUI_SECRET_KEY="x")
    return subprocess.run([str(CLI), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_other_revision_is_refused_untouched(stack):
    stack.stop()
    stack.sql("UPDATE alembic_version SET version_num = '3af16a1c9fb6'")
    before = dump(stack)
    with pytest.raises(StackError) as e:
        stack.start()
    assert "3af16a1c9fb6" in str(e.value) and "a5c220713937" in str(e.value)
    r = cli(stack, "migrate")
    assert r.returncode == 1
    assert "3af16a1c9fb6" in r.stderr and "a5c220713937" in r.stderr
    assert dump(stack) == before
    stack.sql("UPDATE alembic_version SET version_num = 'a5c220713937'")
    stack.start()
    assert stack.get("/health").json() == {"status": True}


def test_cli_migrate_and_doctor(stack):
    r = cli(stack, "migrate")
    assert r.returncode == 0, r.stderr
    assert "a5c220713937" in r.stdout
    # doctor's other checks (sockets, web server...) are test_cli_doctor's
    r = cli(stack, "doctor")
    line = [x for x in r.stdout.splitlines() if "database" in x][0]
    assert line.startswith("ok: database ") and "a5c220713937" in line
    assert ("postgresql" if stack.engine == "pg" else "sqlite") in line


def test_cli_create_admin_then_sign_in(stack):
    r = cli(stack, "create-admin", "Root@Example.com", "s3cret-pw", "Root")
    assert r.returncode == 0, r.stderr
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "root@example.com", "password": "s3cret-pw"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin" and r.json()["name"] == "Root"
    r = cli(stack, "reset-password", "root@example.com", "new-pw")
    assert r.returncode == 0, r.stderr
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "root@example.com", "password": "s3cret-pw"})
    assert r.status_code == 400
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "root@example.com", "password": "new-pw"})
    assert r.status_code == 200
    r = cli(stack, "reset-password", "nobody@example.com", "x")
    assert r.returncode == 1
    r = cli(stack, "create-admin", "root@example.com", "again")
    assert r.returncode == 1
