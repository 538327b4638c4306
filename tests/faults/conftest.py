"""The fault tests (make check-faults) use the black-box harness of
tests/api: the same stacks, engines, PostgreSQL cluster, Redis server and
user fixtures.  tests/api/conftest.py is loaded under another module name
and its fixtures and hooks are re-exported from here."""

import importlib.util
import pathlib
import sys

API_DIR = pathlib.Path(__file__).resolve().parent.parent / "api"
sys.path.insert(0, str(API_DIR))

_spec = importlib.util.spec_from_file_location(
    "cwebui_api_conftest", API_DIR / "conftest.py")
_api = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _api
_spec.loader.exec_module(_api)

globals().update({k: v for k, v in vars(_api).items()
                  if not k.startswith("__")})
