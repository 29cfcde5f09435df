"""The migration chain builds exactly the tables the code declares: what `piccolo migrations new mediation
--auto` would write is nothing. Guards the squashed initial migration (issue 16), which lists only each
column's non-default options, and every migration added after it."""

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager

from mediation.piccolo_app import APP_CONFIG

pytestmark = pytest.mark.anyio


async def test_the_migrations_leave_nothing_for_auto_to_generate():
    alter = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=APP_CONFIG)
    pending = [statement for group in alter for statement in group.statements]
    assert pending == [], "run `piccolo migrations new mediation --auto` (see docs/DEVELOPING.md)"
