"""Alembic environment: the engine comes from catalogue.db.upgrade (or DATABASE_URL)."""
import os

from alembic import context

from catalogue.db import make_engine
from catalogue.models import Base
import catalogue.workspace  # noqa: E402,F401  (its tables are part of the schema)
import catalogue.sign_ins  # noqa: E402,F401

engine = context.config.attributes.get("engine") or make_engine(
    os.environ.get("DATABASE_URL", "sqlite:///instance/learncat.sqlite"))

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
