"""Faults injected in the database itself, for tests of what is acknowledged.

Triggers on the update log fail inserts on demand: a cancelled query, a
connection killed mid-batch, a failure raised at COMMIT (a deferred
constraint trigger), a unique-key conflict, and on SQLite an aborted insert.
`plan` says which, and how many times (PostgreSQL counts with a sequence,
which a failed batch does not roll back; SQLite fails every insert until
the plan is cleared).
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

PG_FAULTS = """
CREATE SEQUENCE fault_seq;
CREATE TABLE fault_plan (kind text NOT NULL, fire_upto bigint NOT NULL);
CREATE FUNCTION fault_fire(wanted text) RETURNS boolean AS $$
  -- A sequence is not rolled back with the failed batch, so each plan
  -- fires a fixed number of times however often the batch is retried.
  SELECT EXISTS (SELECT 1 FROM fault_plan WHERE kind = wanted)
     AND nextval('fault_seq') <= (SELECT fire_upto FROM fault_plan LIMIT 1)
$$ LANGUAGE sql;
CREATE FUNCTION fault_on_insert() RETURNS trigger AS $$
BEGIN
  IF fault_fire('query_canceled') THEN
    RAISE EXCEPTION 'injected' USING ERRCODE = 'query_canceled';
  ELSIF fault_fire('unique_violation') THEN
    RAISE EXCEPTION 'injected' USING ERRCODE = 'unique_violation';
  ELSIF fault_fire('error') THEN
    RAISE EXCEPTION 'injected failure';
  ELSIF fault_fire('connection') THEN
    PERFORM pg_terminate_backend(pg_backend_pid());
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE FUNCTION fault_at_commit() RETURNS trigger AS $$
BEGIN
  IF fault_fire('commit') THEN
    RAISE EXCEPTION 'injected at commit';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER fault_on_insert BEFORE INSERT ON doc_update
  FOR EACH ROW EXECUTE FUNCTION fault_on_insert();
CREATE CONSTRAINT TRIGGER fault_at_commit AFTER INSERT ON doc_update
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_at_commit();
"""

SQLITE_FAULTS = """
CREATE TABLE fault_plan (kind text NOT NULL, fire_upto integer NOT NULL);
CREATE TRIGGER fault_on_insert BEFORE INSERT ON doc_update
  WHEN (SELECT count(*) FROM fault_plan) > 0
  BEGIN SELECT RAISE(ABORT, 'injected'); END;
"""


def kinds(engine: Engine) -> list[str]:
    """The faults this database can be given."""
    if engine.dialect.name == "postgresql":
        return ["query_canceled", "error", "connection", "commit"]
    return ["sqlite_abort"]


def install(engine: Engine) -> None:
    """Add the fault triggers to the test database."""
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor:
                cursor.execute(PG_FAULTS)
        else:
            raw.driver_connection.executescript(SQLITE_FAULTS)  # type: ignore[union-attr]
        raw.commit()
    finally:
        raw.close()


def plan(session: Session, kind: str | None, times: int = 1) -> None:
    """From now on, make the next `times` inserts fail with `kind` (None: stop)."""
    session.execute(text("DELETE FROM fault_plan"))
    if kind is not None:
        upto = 0
        if session.get_bind().dialect.name == "postgresql":
            upto = session.scalar(
                text(
                    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM fault_seq"
                )
            )
        session.execute(
            text("INSERT INTO fault_plan VALUES (:kind, :upto)"),
            {"kind": kind, "upto": upto + times},
        )
    session.commit()
