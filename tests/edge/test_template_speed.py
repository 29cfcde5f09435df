"""The page templates render as GOV.UK Frontend's macros always did, only faster: the helper imports
inside the macros are hoisted to globals built once, and template files are not re-checked on every render
outside development."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from jinja2 import ChainableUndefined, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from mediation.settings import ROOT
from mediation.web.templating import MEMOISED, MemoisedMacro, _key, build_environment

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


MEMOISED_FIXTURES = [p for p in FIXTURES if p.parent.name in MEMOISED]


@pytest.mark.skipif(not MEMOISED_FIXTURES, reason="GOV.UK Frontend's fixtures come with npm install")
@pytest.mark.parametrize("fixtures", MEMOISED_FIXTURES, ids=lambda p: p.parent.name)
def test_a_memoised_component_gives_the_packages_html_first_time_and_every_time(fixtures: Path, environments):
    component = fixtures.parent.name
    plain, ours = environments
    memo = ours.globals[MEMOISED[component]]
    assert isinstance(memo, MemoisedMacro)
    for fixture in json.loads(fixtures.read_text())["fixtures"]:
        expected = _call(plain, component, fixture["options"])
        assert expected is not None
        first, again = str(memo(fixture["options"])), str(memo(fixture["options"]))
        assert first == again == expected, fixture["name"]


def _count_renders(memo: MemoisedMacro) -> list[tuple]:
    """The calls that reach the memoised component's own macro (a render), from now on."""
    renders: list[tuple] = []
    real = memo.macro

    def counted(*args, **kwargs):
        renders.append(args)
        return real(*args, **kwargs)

    memo.macro = counted
    return renders


def test_our_templates_call_the_memoised_components_and_each_set_of_options_renders_once():
    env = build_environment(auto_reload=False)
    source, _, _ = env.loader.get_source(env, "home/staff.html")
    assert "import govukSelect" not in source and "import govukButton" not in source
    memo = env.globals["govukTag"]
    renders = _count_renders(memo)
    page = env.from_string(
        '{% for n in range(50) %}{{ govukTag({"text": "On track"}) }}'
        '{{ govukTag({"text": "Late"}) }}{% endfor %}'
    )
    html = page.render()
    assert html.count("On track") == 50 and html.count("Late") == 50
    assert len(renders) == 2


def test_options_that_differ_only_in_markup_or_type_are_kept_apart():
    env = build_environment(auto_reload=False)
    tag = env.globals["govukTag"]
    assert "&lt;b&gt;" in tag({"text": "<b>"})
    assert "<b>" in tag({"html": Markup("<b>")}) and "&lt;b&gt;" not in tag({"html": Markup("<b>")})
    assert _key({"a": True}) != _key({"a": 1}) and _key(Markup("x")) != _key("x")
    # Anything but plain data (an Undefined, an object) is rendered every time, never kept.
    assert str(env.globals["govukButton"]({"text": "Go", "attributes": {"x": object()}})).count("Go") == 1


_EVERY_PAGES = ("govukServiceNavigation", "govukPhaseBanner")  # base.html's, on every page


@pytest.mark.parametrize(
    "name", ["govukCheckboxes", "govukSummaryList", "govukDetails", "govukTextarea", *_EVERY_PAGES]
)
def test_the_case_pages_larger_components_render_once_for_the_same_options(name):
    """The staff case page draws a summary list, the re-route checkboxes, a details per clock and the
    work forms' textareas on every view: with the same options they are drawn once (issue 17)."""
    env = build_environment(auto_reload=False)
    source, _, _ = env.loader.get_source(env, "base.html" if name in _EVERY_PAGES else "cases/case.html")
    assert f"import {name}" not in source
    memo = env.globals[name]
    assert isinstance(memo, MemoisedMacro)
    renders = _count_renders(memo)
    options = {
        "govukCheckboxes": '{"name": "s", "items": [{"value": "B", "text": "B", "checked": True}]}',
        "govukSummaryList": '{"rows": [{"key": {"text": "State"}, "value": {"text": "lodged"}}]}',
        "govukDetails": '{"summaryText": "How", "html": "<ol><li>1</li></ol>" | safe}',
        "govukTextarea": '{"id": "t", "name": "t", "label": {"text": "Note"}, "value": ""}',
        "govukServiceNavigation": '{"serviceName": "S", "navigation": [{"href": "/home", "text": "Home"}]}',
        "govukPhaseBanner": '{"tag": {"text": "Beta"}, "text": "New"}',
    }[name]
    html = env.from_string(f"{{% for n in range(20) %}}{{{{ {name}({options}) }}}}{{% endfor %}}").render()
    assert html.count("govuk-") >= 20
    assert len(renders) == 1


def test_a_pages_own_content_reaches_the_response_in_one_piece():
    """base.html captures the page's main content and writes it once: each piece of it otherwise passed
    up through the five generators of the layout's blocks, a tenth of the render of the queue page with
    its 50 rows (issue 17). The HTML is the same either way."""

    class Request:  # what base.html reads of the request: its scope
        scope: dict = {"state": {}}  # noqa: RUF012 - one page's scope

    env = build_environment(auto_reload=False)
    page = env.from_string(
        '{% extends "base.html" %}{% block main_content %}'
        "{% for n in range(300) %}<p>{{ n }}</p>{% if n %} {% endif %}{% endfor %}{% endblock %}"
    )
    pieces = list(page.generate(request=Request(), title="Rows", errors={}))
    assert "".join(f"<p>{n}</p>" + (" " if n else "") for n in range(300)) in "".join(pieces)
    assert len(pieces) < 150, f"{len(pieces)} pieces for 300 rows"
