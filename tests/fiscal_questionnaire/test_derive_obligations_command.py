"""python manage.py derive_obligations FILE: the command-line contract of REGULATION.md §3.

The command runs as a real process, as the firm's data checks run it. The runs are started
together once per module (each one boots Django), then every test reads its own run.
"""

import json
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fiscal_questionnaire.rules import derive_obligations

PROJECT_ROOT = Path(__file__).resolve().parents[2]

FRENCH_PME = {
    "vat_liable": True,
    "establishment": "france_hq",
    "vat_group_member": False,
    "exempt_operations": "none",
    "vat_regime": "reel_normal_trimestriel",
    "employees": 40,
    "turnover_eur": 8_000_000,
    "balance_sheet_eur": 3_000_000,
    "sells_b2b_domestic": True,
    "sells_b2c": True,
    "sells_international": False,
    "buys_international": False,
    "sells_public_sector": False,
    "activity_nature": "goods",
}
VALID_BATCH = [
    {"id": "boulangerie-martin", "answers": FRENCH_PME},
    {"id": "association-du-quartier", "answers": {"vat_liable": False}},
    {
        "id": "shop-gmbh",
        "answers": {
            "vat_liable": True,
            "establishment": "none_in_france",
            "sells_b2c": True,
            "size_category_override": "ETI",
            "vat_regime": "franchise",
        },
    },
    {
        "id": "webshop-bv",
        "answers": {
            "vat_liable": True,
            "establishment": "none_in_france",
            "vat_regime": "reel_normal_mensuel",
            "employees": 35,
            "turnover_eur": 12_000_000,
            "balance_sheet_eur": 4_000_000,
            "sells_b2c": True,
        },
    },
    {
        "id": "boutique-en-ligne-sa",
        "answers": {
            "vat_liable": True,
            "establishment": "none_in_france",
            "vat_regime": "reel_normal_mensuel",
            "employees": 5,
            "turnover_eur": 30_000_000,
            "sells_b2c": True,
        },
    },
    {"id": "tout-juste-cree", "answers": {}},
]
VALID_TEXT = json.dumps(VALID_BATCH)


def batch_with(item):
    """A batch where a faulty item follows a valid one: nothing at all may be printed."""
    return json.dumps([VALID_BATCH[0], item])


# Each kind of faulty input of the contract, run as a real process: name -> (batch, fragments
# the error message must contain).
INVALID_RUNS = {
    "unknown-code": (
        batch_with({"id": "dupont-sarl", "answers": {"vat_liabel": True}}),
        ["dupont-sarl", "vat_liabel"],
    ),
    "wrong-type": (
        batch_with({"id": "dupont-sarl", "answers": {"vat_liable": "oui"}}),
        ["dupont-sarl", "vat_liable"],
    ),
    "wrong-value": (
        batch_with({"id": "dupont-sarl", "answers": {"establishment": "paris"}}),
        ["dupont-sarl", "establishment", "paris"],
    ),
    "malformed-json": ('[{"id": "dupont-sarl", "answers": {', ["JSON"]),
    "malformed-item": (json.dumps([VALID_BATCH[0], 42]), ["n° 2"]),
}
# More variations, run in-process (booting Django once per case would make the suite slow).
INVALID_CALLS = {
    "number-as-bool": (
        batch_with({"id": "dupont-sarl", "answers": {"employees": True}}),
        ["dupont-sarl", "employees"],
    ),
    "negative-number": (
        batch_with({"id": "dupont-sarl", "answers": {"turnover_eur": -5}}),
        ["dupont-sarl", "turnover_eur"],
    ),
    "nan-number": (
        '[{"id": "dupont-sarl", "answers": {"turnover_eur": NaN}}]',
        ["dupont-sarl", "turnover_eur"],
    ),
    "answers-not-an-object": (
        batch_with({"id": "dupont-sarl", "answers": ["vat_liable"]}),
        ["dupont-sarl", "answers"],
    ),
    "answers-missing": (batch_with({"id": "dupont-sarl"}), ["dupont-sarl", "answers"]),
    "unexpected-item-key": (
        batch_with({"id": "dupont-sarl", "answers": {}, "anwsers": {}}),
        ["dupont-sarl", "anwsers"],
    ),
    "id-not-a-string": (json.dumps([{"id": 7, "answers": {}}]), ["n° 1", "id"]),
    "not-a-list": (json.dumps(VALID_BATCH[0]), ["liste"]),
    "empty-file": ("", ["JSON"]),
}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every process run of this module, started in parallel, by name."""
    folder = tmp_path_factory.mktemp("batches")
    planned: dict[str, tuple[str, str | None]] = {}

    def from_file(name, text):
        path = folder / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        planned[name] = (str(path), None)

    from_file("valid-file", VALID_TEXT)
    planned["valid-stdin"] = ("-", VALID_TEXT)
    for name, (text, _fragments) in INVALID_RUNS.items():
        from_file(name, text)
    planned["invalid-stdin"] = ("-", INVALID_RUNS["unknown-code"][0])

    processes = {
        name: subprocess.Popen(
            [sys.executable, "manage.py", "derive_obligations", argument],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, (argument, _stdin) in planned.items()
    }
    results = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(planned[name][1] or "", timeout=120)
        results[name] = Run(process.returncode, stdout, stderr)
    return results


@pytest.mark.parametrize("name", ["valid-file", "valid-stdin"])
def test_valid_batch_prints_one_result_per_item(runs, name):
    run = runs[name]
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    assert [item["id"] for item in printed] == [item["id"] for item in VALID_BATCH]
    assert printed == [
        {"id": item["id"], "result": derive_obligations(item["answers"])} for item in VALID_BATCH
    ]
    by_id = {item["id"]: item["result"] for item in printed}
    assert by_id["boulangerie-martin"]["size_category"] == "PME"
    assert by_id["boulangerie-martin"]["issue_from"] == "2027-09-01"
    assert by_id["boulangerie-martin"]["e_reporting_frequency"] == "monthly"
    assert by_id["association-du-quartier"]["in_scope"] is False
    assert by_id["shop-gmbh"]["e_reporting_transactions_from"] == "2026-09-01"
    assert by_id["shop-gmbh"]["must_receive"] is False
    # Not established in France: the size figures date the e-reporting of B2C sales.
    assert by_id["webshop-bv"]["size_category"] == "PME"
    assert by_id["webshop-bv"]["e_reporting_transactions_from"] == "2027-09-01"
    assert by_id["webshop-bv"]["e_reporting_frequency"] == "three_per_month"
    assert by_id["webshop-bv"]["complete"] is True
    # Micro or PME: the category stays open, the date (the same for both) does not.
    assert by_id["boutique-en-ligne-sa"]["size_category"] is None
    assert by_id["boutique-en-ligne-sa"]["e_reporting_transactions_from"] == "2027-09-01"
    assert by_id["boutique-en-ligne-sa"]["missing"] == ["balance_sheet_eur"]
    assert by_id["tout-juste-cree"]["missing"] == ["vat_liable"]


def test_output_keeps_french_text_readable(runs):
    assert "réforme" in runs["valid-file"].stdout


@pytest.mark.parametrize("name", sorted(INVALID_RUNS))
def test_invalid_input_exits_2_naming_the_item_and_the_code(runs, name):
    run = runs[name]
    assert run.returncode == 2
    assert run.stdout == ""
    for fragment in INVALID_RUNS[name][1]:
        assert fragment in run.stderr


def test_invalid_batch_on_standard_input(runs):
    run = runs["invalid-stdin"]
    assert run.returncode == 2
    assert run.stdout == ""
    assert "dupont-sarl" in run.stderr
    assert "vat_liabel" in run.stderr


def call_with_batch(tmp_path, text):
    batch = tmp_path / "batch.json"
    batch.write_text(text, encoding="utf-8")
    stdout = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("derive_obligations", str(batch), stdout=stdout)
    assert stdout.getvalue() == ""
    assert raised.value.returncode == 2
    return str(raised.value)


@pytest.mark.parametrize("name", sorted(INVALID_CALLS))
def test_more_invalid_input_is_refused(tmp_path, name):
    text, fragments = INVALID_CALLS[name]
    message = call_with_batch(tmp_path, text)
    for fragment in fragments:
        assert fragment in message


def test_unreadable_file_is_refused(tmp_path):
    stdout = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("derive_obligations", str(tmp_path / "nowhere.json"), stdout=stdout)
    assert raised.value.returncode == 2
    assert "nowhere.json" in str(raised.value)
    assert stdout.getvalue() == ""


def test_every_problem_of_a_batch_is_reported(tmp_path):
    message = call_with_batch(
        tmp_path,
        json.dumps(
            [
                {"id": "first", "answers": {"employees": -1}},
                {"id": "second", "answers": {"vat_regime": "mensuel"}},
            ]
        ),
    )
    assert "first" in message
    assert "employees" in message
    assert "second" in message
    assert "vat_regime" in message
