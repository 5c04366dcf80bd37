"""Unbound Flask extensions; `create_app` binds them with `init_app`."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from portal import (
    psycopg_gevent,  # noqa: F401 - registers the gevent connect hook
    sqlite_pragmas,  # noqa: F401 - registers the SQLite connect hook
)
from portal.models.base import Base

# Models subclass our own typed `Base`; the extension shares its metadata
# (for create_all and Alembic) and provides the request-scoped session.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
csrf = CSRFProtect()
socketio = SocketIO()
