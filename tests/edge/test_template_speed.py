"""The page templates render as GOV.UK Frontend's macros always did, only faster: the helper imports
inside the macros are hoisted to globals built once, and template files are not re-checked on every render
outside development."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from jinja2 import ChainableUndefined, Environment, PackageLoader, PrefixLoader

from mediation.settings import ROOT
from mediation.web.templating import build_environment

FIXTURES = sorted(
    (ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "components").glob("*/fixtures.json")
)


def _plain() -> Environment:
    """GOV.UK's macros exactly as the package ships them."""
    return Environment(
        loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        autoescape=True,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _macro(component: str) -> str:
    return "govuk" + "".join(part.capitalize() for part in component.split("-"))


def _call(env: Environment, component: str, options: dict) -> str | None:
    path = f"govuk_frontend_jinja/components/{component}/macro.html"
    try:
        env.get_template(path)
    except Exception:  # noqa: BLE001 - a component the Jinja port does not have
        return None
    source = f'{{% from "{path}" import {_macro(component)} %}}{{{{ {_macro(component)}(options) }}}}'
    return env.from_string(source).render(options=options)


@pytest.fixture(scope="module")
def environments() -> tuple[Environment, Environment]:
    return _plain(), build_environment(auto_reload=False)


@pytest.mark.skipif(not FIXTURES, reason="GOV.UK Frontend's fixtures come with npm install (make setup)")
@pytest.mark.parametrize("fixtures", FIXTURES, ids=lambda p: p.parent.name)
def test_every_govuk_fixture_renders_byte_for_byte_as_the_package_ships_it(fixtures: Path, environments):
    component = fixtures.parent.name
    plain, ours = environments
    compared = 0
    for fixture in json.loads(fixtures.read_text())["fixtures"]:
        expected = _call(plain, component, fixture["options"])
        if expected is None:
            pytest.skip(f"no {component} macro in govuk-frontend-jinja")
        assert _call(ours, component, fixture["options"]) == expected, fixture["name"]
        compared += 1
    assert compared


def test_templates_are_not_rechecked_on_disk_outside_development():
    assert build_environment().auto_reload is False
    assert build_environment(auto_reload=True).auto_reload is True


def test_a_tag_no_longer_imports_its_helper_template_on_every_call():
    env = build_environment(auto_reload=False)
    loads = []
    original = env.loader.load

    def counting_load(environment, name, globals=None):  # noqa: A002 - Jinja's own parameter name
        loads.append(name)
        return original(environment, name, globals)

    env.loader.load = counting_load  # type: ignore[method-assign]
    env.cache = None  # every get_template reaches the loader, so each import is seen
    page = env.from_string(
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        '{% for n in range(50) %}{{ govukTag({"text": "On track"}) }}{% endfor %}'
    )
    started = time.perf_counter()
    page.render()
    assert time.perf_counter() - started < 1
    assert loads.count("govuk_frontend_jinja/macros/attributes.html") <= 1  # was once per tag: 50
