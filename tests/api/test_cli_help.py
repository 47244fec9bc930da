"""Every command and option of `prescreen` says what it is for, and `prescreen eval|train --help`
answer without importing the evaluations or the training code."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import build_parser
from api.commands.evaluate import _commands

REPO = Path(__file__).resolve().parents[2]


def _undocumented(parser: argparse.ArgumentParser, path: str) -> list[str]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {c.dest: c.help for c in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    out.append(f"{path} {name}")
                out += _undocumented(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction) and not action.help:
            out.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    return out


def _inner(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    for name in names:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.slow
def test_every_command_and_option_has_help_text():
    missing = _undocumented(build_parser([]), "prescreen")
    for package, command in (("eval", "eval"), ("training", "train")):
        names = _commands(package)
        assert names, package
        for name in names:  # each module's own options are added only when it is asked for
            missing += _undocumented(_inner(build_parser([command, name]), command, name), f"prescreen {command} {name}")
    assert missing == []


def test_eval_and_train_help_import_no_evaluation_or_training_code():
    probe = ("import json, sys, time\n"
             "t = time.perf_counter()\n"
             "from api.cli import build_parser\n"
             "for argv in (['eval', '--help'], ['train', '--help']):\n"
             "    build_parser(argv)\n"
             "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('eval', 'training', 'torch', 'numpy', 'sklearn', 'sqlalchemy', 'pydantic_settings'))\n"
             "print(json.dumps({'s': time.perf_counter() - t, 'heavy': heavy}))\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    result = json.loads(out.stdout)
    assert result["heavy"] == []
    assert result["s"] < 1.0  # 17-20 s when every module was imported to list them
    names = {name for name, _ in _commands("eval").items()}
    assert {"text", "priority", "priority-minimum"} <= names and "bench-index" in names


def test_train_help_lists_each_command_with_its_help(capsys):
    with pytest.raises(SystemExit) as exc:
        build_parser(["train", "--help"]).parse_args(["train", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("duplicates", "embedder-distil", "priority", "text", "text-feedback"):
        assert f"    {name}" in out
    assert "never written into models/weights/" in " ".join(out.split())


def test_each_train_and_eval_module_help_imports_no_torch():
    """`prescreen train text --help` took ~15 s importing torch for its options: every module's
    own --help builds its options without the models (they are imported where they are used)."""
    argvs = [[command, name, "--help"] for package, command in (("training", "train"), ("eval", "eval"))
             for name in _commands(package)]
    probe = ("import json, sys, time\n"
             "from api.cli import build_parser\n"
             "out = {}\n"
             f"for argv in {argvs!r}:\n"
             "    t = time.perf_counter()\n"
             "    build_parser(argv)\n"
             "    out[' '.join(argv)] = [round(time.perf_counter() - t, 2), 'torch' in sys.modules]\n"
             "print(json.dumps(out))\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    result = json.loads(out.stdout)
    assert "train text --help" in result and "train text-calibration --help" in result
    assert [argv for argv, (_, torch) in result.items() if torch] == []
    assert sum(s for s, _ in result.values()) < 5.0  # 5-6 s for each torch module alone before
