"""``check --dev-url``: compare the models with the schema the migrations build.

Instead of reading the configured database, every revision is run to head
on a scratch database (``--dev-url URL``) or on a throwaway PostgreSQL
(``--dev-url embedded``), and ``check`` compares that with the models.  The
configured URL is replaced by the dev URL for env.py, and every other
connection is refused before it opens, so the configured database is never
contacted.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.engine import URL

from schemadiff.commands.drift import DATABASE_LABEL, check
from schemadiff.commands.migrate import upgrade
from schemadiff.config import Config
from schemadiff.devdb.scratch import connections_only_to, masked, scratch_database

log = logging.getLogger("schemadiff.devdb")


def check_dev(
    config: Config, dev_url: str, format: str = "text", output: str | None = None
) -> bool:
    """Replay the migrations on ``dev_url`` and compare; True when models and migrations differ."""
    if dev_url == "embedded" or dev_url.startswith("embedded:"):
        return _check_embedded(config, dev_url, format, output)
    configured = config.get_main_option("sqlalchemy.url")
    with scratch_database(dev_url, configured_url=configured) as url:
        dev_config = dev_config_for(config, url, masked(url))
        with connections_only_to(url):
            upgrade(dev_config, "heads")
            return check(dev_config, format=format, output=output)


def dev_config_for(config: Config, url: URL, label: str) -> Config:
    """The same project, with ``sqlalchemy.url`` pointing at the dev database."""
    dev = Config(
        config.config_file_name,
        config.config_ini_section,
        output_buffer=config.output_buffer,
        stdout=config.stdout,
        cmd_opts=config.cmd_opts,
        config_args=config.config_args,
        attributes=config.attributes,
        toml_file=config.toml_file_name,
    )
    dev.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    dev.attributes[DATABASE_LABEL] = label
    return dev


def _check_embedded(config: Config, dev_url: str, format: str, output: str | None) -> bool:
    from schemadiff.devdb import embedded, replay_cache
    from schemadiff.scriptdir import ScriptDirectory

    embedded.check_supported()
    began = time.perf_counter()
    install = embedded.find_install(embedded.parse_dev_url(dev_url))
    script = ScriptDirectory.from_config(config)
    key = replay_cache.replay_key(config, script, install.version)
    label = f"embedded PostgreSQL {install.version} (migrations replayed)"
    with embedded.terminate_as_interrupt(), replay_cache.exclusive(key) as owned:
        seed = replay_cache.cached_cluster(key)
        in_place = owned and seed is not None and embedded.reachable_by_service_user(seed)
        server = embedded.EmbeddedPostgres(install, seed, in_place=in_place)
        try:
            with server:
                dev_config = dev_config_for(config, server.url, label)
                with connections_only_to(server.url):
                    if seed is None:
                        upgrade(dev_config, "heads")
                        if owned:
                            server.keep_data(replay_cache.cluster_destination(key))
                    drift = check(dev_config, format=format, output=output)
        finally:
            if in_place and not server.stopped_cleanly:
                replay_cache.discard(key)
    replay_cache.prune()
    if seed is None:
        how = f"initdb in {server.timings.get('prepare', 0.0):.2f} s, migrations replayed"
    elif in_place:
        how = "cached replay used in place"
    else:
        how = f"cached replay copied in {server.timings.get('prepare', 0.0):.2f} s"
    log.info(
        "embedded PostgreSQL %s: %s, server started in %.2f s, whole check %.2f s",
        install.version,
        how,
        server.timings.get("start", 0.0),
        time.perf_counter() - began,
    )
    return drift
