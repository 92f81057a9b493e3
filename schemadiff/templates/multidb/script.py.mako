<%!
import re

%>"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""

# revision identifiers, used by schemadiff.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}

from schemadiff import op
import sqlalchemy as sa
${imports if imports else ""}


def upgrade(engine_name: str) -> None:
    """Run the upgrade of one engine, as env.py names it."""
    globals()[f"upgrade_{engine_name}"]()


def downgrade(engine_name: str) -> None:
    """Run the downgrade of one engine, as env.py names it."""
    globals()[f"downgrade_{engine_name}"]()

<%
    engine_names = [
        name for name in re.split(r"[\s,]+", config.get_main_option("databases") or "") if name
    ]
%>
% for engine_name in engine_names:


def upgrade_${engine_name}() -> None:
    ${context.get(f"{engine_name}_upgrades", "pass")}


def downgrade_${engine_name}() -> None:
    ${context.get(f"{engine_name}_downgrades", "pass")}

% endfor
