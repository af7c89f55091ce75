"""Every message id through its call site: each call of a translator (engine/i18n.py, engine/staff_texts.py's
st/bound/of and the `t` they make, topics.say) passes exactly what its Fluent message needs in every locale,
and nothing named like the translators' own parameters. Ids made at run time are resolved by their literal
prefix (every matching message is checked); the rest are listed below, so a new one is noticed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fluent.syntax import ast as fl
from fluent.syntax import parse
from fluent.syntax.visitor import Visitor

ROOT = Path(__file__).resolve().parents[2]
STAFF_FILE = "staff.ftl"
SOURCES = ("engine", "bot", "channels", "webhooks", "payments")
OWN = frozenset({"language", "message_id"})  # the translators' own parameters: never a message's variable
WRAPPERS = {"say": (3, frozenset({"deps", "client", "event", "n", "mentions"}))}  # id position, own names
CALLED = {"translator": False, "staff_translator": True}  # translator()(language, id, ...): staff texts?

# call sites whose id is computed from something other than a literal prefix: (file, the id expression)
UNRESOLVED = {
    ("engine/client_texts.py", "title"),  # quote-title / quote-title-revised, with `number`
    ("engine/clients/registry.py", "message_id"),  # the welcome texts, with `name` and `assistant`
    ("engine/commands/staff_messages.py", "why"),  # a refusal's id, without variables
    ("engine/commands/table.py", "row.help_id"),  # help-command-<name>, without variables (test_staff_texts)
    ("engine/commands/table.py", "header"),  # help-topic, help-anywhere, help-private, without variables
    ("engine/commands/table.py", "footer"),  # help-topic-else, without variables
    ("engine/forum/topics.py", "message_id"),  # topics.say passes its caller's arguments on
    ("engine/staff_texts.py", "message_id"),  # st and bound pass their caller's id and arguments on
    ("engine/requests/intake.py", "message_id"),  # a request's state line, without variables
    ("engine/console/event_lines.py", "message_id"),  # ev-<type>: its arguments per type (test_staff_texts)
    ("engine/clients/outbox.py", "message_id"),  # a channel's compose asks for its texts (choices-hint)
    ("engine/conversation/messages.py", "refused.notice"),  # a channel's refusal (wa-not-sent)
    (
        "bot/miniapp/pages.py",
        "message_id",
    ),  # the client's page: t() passes its template's id and arguments on
    ("bot/miniapp/pages.py", "refused.key or 'app-too-long'"),  # a form's refusal (app-bad-…), no variables
}


# a variable named like a translator parameter in a message another branch fixes (fix/console, issue 21
# #6): tolerated until that branch is merged, never required
def _variables(pattern: fl.SyntaxNode, messages: dict[str, fl.Message], seen: frozenset[str]) -> set[str]:
    found: set[str] = set()

    class Variables(Visitor):
        def visit_VariableReference(self, node: fl.VariableReference) -> None:
            found.add(node.id.name)

        def visit_MessageReference(self, node: fl.MessageReference) -> None:
            name = node.id.name
            if name in messages and name not in seen:
                found.update(_variables(messages[name], messages, seen | {name}))

    Variables().visit(pattern)
    return found


def catalogs(root: Path = ROOT / "locales") -> dict[tuple[str, str], dict[str, set[str]]]:
    """(locale, file) → message id → the variables it uses (through the messages it references too)."""
    out = {}
    for path in sorted(root.glob("*/*.ftl")):
        messages = {m.id.name: m for m in parse(path.read_text()).body if isinstance(m, fl.Message)}
        out[(path.parent.name, path.name)] = {
            name: _variables(message, messages, frozenset({name})) for name, message in messages.items()
        }
    return out


@dataclass(frozen=True)
class Site:
    staff: bool  # staff.ftl, or the client files
    path: str
    line: int
    ids: tuple[str, ...] | None  # None: computed (see UNRESOLVED)
    expression: str
    keywords: frozenset[str]
    own: frozenset[str]
    splat: bool  # `**something` that could not be read here


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id in CALLED:
        return func.func.id
    if isinstance(func, ast.Name):
        return func.id
    return f".{func.attr}" if isinstance(func, ast.Attribute) else None


def _id_position(call: ast.Call, callee: str | None) -> tuple[int, frozenset[str], bool] | None:
    """Where the id is, the callee's own parameter names, and whether it reads staff texts."""
    if callee in WRAPPERS:
        return (*WRAPPERS[callee], True)
    if callee in CALLED:
        return 1, frozenset(), CALLED[callee]
    if callee == ".t":
        return 1, frozenset(), False  # deps.t(language, id)
    if callee == "st":
        return 1, frozenset(), True  # st(reader, id)
    if callee in ("t", "in_topic"):  # a bound staff text t(id), or the client translator t(language, id)
        first = call.args[0] if call.args else None
        staff = len(call.args) == 1 or isinstance(first, (ast.Constant, ast.JoinedStr))
        return (0 if staff else 1), frozenset(), staff
    return None


def _dicts(function: ast.AST) -> dict[str, set[str]]:
    """Names bound to one dict literal with constant keys in this function: a `**name` we can read (bound to
    several, like a problem's alternative shapes, it cannot be read here)."""
    found: dict[str, list[set[str]]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and len(node.targets) == 1:
            target, keys = node.targets[0], node.value.keys
            if isinstance(target, ast.Name) and all(isinstance(k, ast.Constant) for k in keys):
                found.setdefault(target.id, []).append({k.value for k in keys})  # type: ignore[union-attr]
    return {name: shapes[0] for name, shapes in found.items() if len(shapes) == 1}


def sites(source: str, path: str, known: set[str]) -> Iterator[Site]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    functions = {
        f: _dicts(f) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        place = _id_position(call, _callee(call))
        if place is None or len(call.args) <= place[0]:
            continue
        node = call.args[place[0]]
        ids = _ids(node, known)
        if ids == ():
            continue  # a string that names no message: not a translator call
        dicts: dict[str, set[str]] = {}
        scope = parents.get(call)
        while scope is not None:  # the dicts of the enclosing functions, the innermost last
            dicts = {**functions.get(scope, {}), **dicts}
            scope = parents.get(scope)
        keywords, splat = set(), False
        for keyword in call.keywords:
            if keyword.arg is not None:
                keywords.add(keyword.arg)
            elif isinstance(keyword.value, ast.Name) and keyword.value.id in dicts:
                keywords |= dicts[keyword.value.id]
            else:
                splat = True
        yield Site(place[2], path, call.lineno, ids, ast.unparse(node), frozenset(keywords), place[1], splat)


def _ids(node: ast.expr, known: set[str]) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant):
        return (node.value,) if isinstance(node.value, str) and node.value in known else ()
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        prefix = str(node.values[0].value)
        return tuple(sorted(i for i in known if i.startswith(prefix)))
    if isinstance(node, ast.IfExp):  # `"a" if x else "b"`: both are checked
        body, orelse = _ids(node.body, known), _ids(node.orelse, known)
        return None if body is None or orelse is None else tuple(sorted({*body, *orelse}))
    return None


def problems(source: str, path: str, books: dict[tuple[str, str], dict[str, set[str]]]) -> Iterator[str]:
    known = {i for book in books.values() for i in book}
    for site in sites(source, path, known):
        where = f"{site.path}:{site.line} {site.expression}"
        for name in sorted(site.keywords & (OWN | site.own)):
            yield f"{where}: `{name}=` is the translator's own parameter"
        if site.ids is None:
            if (site.path, site.expression) not in UNRESOLVED:
                yield f"{where}: a computed message id: resolve it or list it in UNRESOLVED"
            continue
        if not site.ids:
            yield f"{where}: no message matches"
        for message_id in site.ids:
            for (locale, file), book in books.items():
                if (file == STAFF_FILE) != site.staff:
                    continue
                missing = book.get(message_id, set()) - site.keywords
                if missing and not site.splat:
                    yield f"{where}: {message_id} ({locale}) needs {sorted(missing)}"


def _all_sources() -> Iterator[tuple[str, str]]:
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.read_text(), str(path.relative_to(ROOT))


def test_every_call_site_passes_what_its_message_needs_and_nothing_named_like_a_parameter() -> None:
    books = catalogs()
    found = [p for source, path in _all_sources() for p in problems(source, path, books)]
    assert found == []


def test_no_message_uses_a_variable_named_like_a_translator_parameter() -> None:
    used = {
        (message_id, name, locale)
        for (locale, _file), book in catalogs().items()
        for message_id, names in book.items()
        for name in names & OWN
    }
    assert used == set()


def test_every_listed_computed_id_is_still_there() -> None:
    books = catalogs()
    known = {i for book in books.values() for i in book}
    computed = {
        (s.path, s.expression) for src, p in _all_sources() for s in sites(src, p, known) if s.ids is None
    }
    assert computed == UNRESOLVED


def test_it_catches_the_collision_of_the_third_escalation_step() -> None:
    """The call as it was (issue 21 #5): `language=` collided with the translator's first parameter."""
    before = """
def nobody(t):
    return t(
        "clock-unassignable",
        client=client.name,
        wait=waited(t, since, now),
        assistant=old.name,
        why=why,
        language=client.language.value.upper(),
    )
"""
    found = list(problems(before, "engine/clock/deadlines.py", catalogs()))
    assert any("`language=` is the translator's own parameter" in p for p in found), found
    assert list(problems('t("clock-reminded", client="x")', "x.py", catalogs())) == [
        "x.py:1 'clock-reminded': clock-reminded (en) needs ['assistant', 'wait']",
        "x.py:1 'clock-reminded': clock-reminded (ru) needs ['assistant', 'wait']",
    ]


def test_it_catches_a_message_variable_named_like_the_translators_parameter() -> None:
    """The line of a language change as it was (issue 21 #6): `{ $language }`, which no call could pass."""
    messages = {m.id.name: m for m in parse("ev-ClientLanguageChanged = language: { $language }\n").body}
    assert _variables(messages["ev-ClientLanguageChanged"], messages, frozenset()) & OWN == {"language"}
