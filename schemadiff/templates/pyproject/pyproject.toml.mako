[tool.schemadiff]

# path to migration scripts
script_location = "${script_location}"

# template used to generate migration file names
# file_template = "%(rev)s_%(slug)s"

# additional paths to be prepended to sys.path
prepend_sys_path = ["."]

# max length of characters to apply to the "slug" field
# truncate_slug_length = 40

# set to true to run the environment during the 'revision' command,
# regardless of autogenerate
# revision_environment = false

# version locations; defaults to ${script_location}/versions
# version_locations = ["%(here)s/bar", "%(here)s/bat", "${script_location}/versions"]

# the output encoding used when revision files are written from script.py.mako
# output_encoding = "utf-8"

# post write hooks run on newly generated revision scripts (black by default)
# [[tool.schemadiff.post_write_hooks]]
# name = "ruff"
# type = "ruff"
# options = "format REVISION_SCRIPT_FILENAME"
