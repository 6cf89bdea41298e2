"""The words stewards know, in the catalogue: every rule any code can produce has a title, every dataset a
name and every contract code a meaning, in both languages; one spelling of each placeholder."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from transforms.config.schema import CODES, DATASETS
from transforms.config.sources import parse_sources
from transforms.ingest.accepted import accepted_codes
from transforms.messages import LANGUAGES, catalogue
from transforms.messages.steward_words import dataset_name, rule_title, written_date_format

ROOT = Path(__file__).resolve().parents[2]


def produced_rules() -> set[str]:
    """Every rule name the code can write into a quarantine row or a ledger record, found in the source.

    A rule is a string given as ``rule`` (by position or keyword) to any function of ``transforms/`` that
    takes a ``rule`` parameter (FileFault, harmonise's converters, the ledger's records), a ``rule``
    parameter's default, a ``"rule": ...`` entry of a dict literal, or an expectation's ``meta.rule``;
    a module-level constant (``INTERNAL_ERROR``) counts as its value.
    """
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "transforms").rglob("*.py"))]
    constants: dict[str, str] = {}
    takes_rule: dict[str, int] = {}  # function (a class for its __init__) -> position of its rule argument
    found: set[str] = set()
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                constants.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
        owners = {item: cls.name for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef)
                  for item in cls.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"}
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [a.arg for a in node.args.args]
            if "rule" not in names:
                continue
            positional = names[1:] if names[0] in ("self", "cls") else names
            takes_rule[owners.get(node, node.name)] = positional.index("rule")
            defaults = dict(zip(names[len(names) - len(node.args.defaults):], node.args.defaults, strict=True))
            if isinstance(defaults.get("rule"), ast.Constant) and defaults["rule"].value:
                found.add(defaults["rule"].value)

    def text(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value or None
        return constants.get(node.id) if isinstance(node, ast.Name) else None

    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                found.update(v for k, value in zip(node.keys, node.values, strict=True)
                             if isinstance(k, ast.Constant) and k.value == "rule" and (v := text(value)))
            elif isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name not in takes_rule:
                    continue
                given = [kw.value for kw in node.keywords if kw.arg == "rule"]
                if len(node.args) > takes_rule[name]:
                    given.append(node.args[takes_rule[name]])
                found.update(v for v in map(text, given) if v)
    for suite in (ROOT / "expectations").glob("*.json"):
        for expectation in json.loads(suite.read_text(encoding="utf-8"))["expectations"]:
            found.add(expectation.get("meta", {}).get("rule", expectation["type"]))
    return found


def test_the_scan_finds_rules_of_every_kind():
    rules = produced_rules()
    # a FileFault's default, a constant, a converter's argument, a multi-line FileFault, a dict, a suite's meta
    assert {"file_unreadable", "internal_error", "invalid_integer", "participants_dropped",
            "person_not_in_participants", "exit_before_entry", "too_many_failing_rows"} <= rules


def test_every_rule_any_code_can_produce_has_a_title_in_both_languages():
    missing = sorted(r for r in produced_rules() if f"rule.title.{r}" not in catalogue())
    assert not missing, f"rules without a title (transforms/messages/steward_words.py): {missing}"
    for rule in produced_rules():
        titles = catalogue()[f"rule.title.{rule}"]
        assert all(titles[lang].strip() for lang in LANGUAGES) and titles["sv"] != titles["en"], rule
        assert rule not in titles["sv"], rule


def test_datasets_have_names_and_codes_have_meanings_in_both_languages():
    assert [dataset_name(d, lang="sv") for d in DATASETS] == ["deltagare", "närvaro", "enkät", "aktiviteter"]
    assert [dataset_name(d, lang="en") for d in DATASETS] == list(DATASETS)
    for column, codes in CODES.items():
        for code in codes:
            assert set(catalogue()[f"code.{column}.{code}"]) == set(LANGUAGES), (column, code)
    assert rule_title("exit_before_entry", lang="sv") == "Slut före start"
    assert rule_title("not_a_rule") == "not_a_rule" and dataset_name("_someone") == "_someone"


def test_swedish_writes_each_placeholder_one_way():
    swedish = [texts["sv"] for texts in catalogue().values()]
    forms = [f for text in swedish for f in (text if isinstance(text, tuple) else (text,))]
    assert not [f for f in forms if "YYYY" in f], "Swedish writes the year ÅÅÅÅ"
    assert not [f for f in forms if "(dold:" in f], "a hidden value is (dolt: …) in Swedish"
    assert written_date_format("YYYY-MM-DD", lang="sv") == "ÅÅÅÅ-MM-DD"
    assert written_date_format("DD.MM.YYYY", lang="en") == "DD.MM.YYYY"


@pytest.fixture
def labelled(tmp_path):
    raw = {"id": "s1", "municipalities": ["1489"], "delivery": {"folder": "landing"},
           "codes": {"gender": {"K": "female", "Kvinna": "female", "M": "male", "X": "nonbinary"},
                     "programme": {"IM Språkintroduktion": "IMS"}, "wave": {"Höst": "T1"}}}
    return parse_sources({"sources": [raw]}, tmp_path).get("s1")


def test_accepted_codes_are_the_sources_own_labels_with_their_meaning(labelled):
    participants = labelled.datasets["participants"]
    assert accepted_codes(participants, "gender", lang="sv") == "K (kvinna), M (man), X (icke-binär)"
    assert accepted_codes(participants, "gender", lang="en") == "K (female), M (male), X (non-binary)"
    # a code without a label of the source: the contract's code, in words; a label that says it: as it is
    assert accepted_codes(participants, "programme", lang="sv") == (
        "IMA (individuellt alternativ), IM Språkintroduktion, IMV (programinriktat val), IMY (yrkesintroduktion)")
    assert accepted_codes(labelled.datasets["survey"], "wave", lang="sv") == "Höst (T1), T0 (vid start), T1, T2 och så vidare"
    assert accepted_codes(participants, "entry_date") == ""
