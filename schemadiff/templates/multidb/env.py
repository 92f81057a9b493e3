import logging
import re
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from schemadiff import context

# this is the schemadiff Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.  A caller that sets up logging
# itself (the pytest plugin, an application) sets configure_logger False.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("schemadiff.env")

# the engines, as listed by the 'databases' option of the config file
db_names = [
    name for name in re.split(r"[\s,]+", config.get_main_option("databases") or "") if name
]

# add your models' MetaData objects here, one per engine name,
# for 'autogenerate' support:
# from myapp import mymodel1, mymodel2
# target_metadata = {
#       'engine1': mymodel1.metadata,
#       'engine2': mymodel2.metadata,
# }
target_metadata = {}

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    Each engine's SQL follows a comment naming it; the output goes to
    the command's output, as with a single database.
    """
    for name in db_names:
        logger.info("Migrating database %s", name)
        url = config.get_section(name, {}).get("sqlalchemy.url")
        context.configure(
            url=url,
            target_metadata=target_metadata.get(name),
            literal_binds=True,
            upgrade_token=f"{name}_upgrades",
            downgrade_token=f"{name}_downgrades",
        )
        context.execute(f"-- running migrations for '{name}'")
        with context.begin_transaction():
            context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Run migrations in 'online' mode, one engine after the other.

    Each engine commits on its own; the upgrade/downgrade function of the
    revision file named after the engine runs in that engine's
    transaction.
    """
    for name in db_names:
        logger.info("Migrating database %s", name)
        engine = engine_from_config(
            config.get_section(name, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata.get(name),
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
