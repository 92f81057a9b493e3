# A multi-database configuration: one revision history, several engines.

[schemadiff]
# path to migration scripts
script_location = ${script_location}

# template used to generate migration files
# file_template = %%(rev)s_%%(slug)s

# sys.path path, will be prepended to sys.path if present.
# defaults to the current working directory.
prepend_sys_path = .

# max length of characters to apply to the
# "slug" field
# truncate_slug_length = 40

# set to 'true' to run the environment during
# the 'revision' command, regardless of autogenerate
# revision_environment = false

# set to 'true' to allow .pyc and .pyo files without
# a source .py file to be detected as revisions in the
# versions/ directory
# sourceless = false

# version location specification; this defaults
# to ${script_location}/versions.  When using multiple version
# directories, initial revisions must be specified with --version-path
# version_locations = %(here)s/bar %(here)s/bat ${script_location}/versions

# the output encoding used when revision files
# are written from script.py.mako
# output_encoding = utf-8

# the engines to migrate, in order; each has a section below with its
# sqlalchemy.url.  Revision files get upgrade_<name>()/downgrade_<name>().
databases = engine1, engine2

[engine1]
# SQLite files next to this one, so everything runs without a server.
# For PostgreSQL, e.g.:
# sqlalchemy.url = postgresql+psycopg://scott:tiger@localhost/test1
sqlalchemy.url = sqlite:///%(here)s/engine1.db

[engine2]
sqlalchemy.url = sqlite:///%(here)s/engine2.db


[post_write_hooks]
# post_write_hooks defines scripts or Python functions that are run
# on newly generated revision scripts.  black runs by default; list
# hooks here to replace it (an empty list turns formatting off).
# hooks = black
# black.type = black
# black.options = -l 79 REVISION_SCRIPT_FILENAME

# Logging configuration
[loggers]
keys = root,sqlalchemy,schemadiff

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_schemadiff]
level = INFO
handlers =
qualname = schemadiff

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
