"""The directory reports and test ids are anchored to: pytest's rootdir rules over the scenario paths only.

pytest picks its rootdir before plugins load, from every argument that names
an existing path, so the value of a plugin option is read as a path too
(`--iam-baseline /var/tmp/last.json` run from a pack's folder gives
`rootdir: /`; pytest's docs warn about this for plugin options that take a
path: https://docs.pytest.org/en/stable/reference/customize.html#finding-the-rootdir).
The harness applies the same rules (ini file, `--rootdir`, common ancestor of
the path arguments, `setup.py`) to the positional arguments alone, which the
full command-line parse separates from option values. So `--iam-baseline X`
and `--iam-baseline=X` give the same root, the same report directory and the
same cell ids. pytest's own rootdir (its cache, `--lf`) is pytest's to choose;
`HarnessRoot.moved` says when the two differ so the plugin can say so once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class HarnessRoot:
    path: Path
    # pytest's rootdir when an option's value moved it elsewhere; None when both agree.
    pytest_rootdir: Path | None = None

    @property
    def moved(self) -> bool:
        return self.pytest_rootdir is not None


def harness_root(config: pytest.Config) -> HarnessRoot:
    pytest_root = config.rootpath
    if config.getoption("rootdir", None):  # chosen explicitly: nothing to second-guess
        return HarnessRoot(pytest_root)
    args = [str(a) for a in (config.getoption("file_or_dir", None) or [])]
    try:
        # pytest's own implementation of its rules, so the two never drift apart; private API,
        # hence the fallback to pytest's rootdir if its shape changes.
        from _pytest.config.findpaths import determine_setup

        found = determine_setup(
            inifile=config.getoption("inifilename", None),
            override_ini=config.getoption("override_ini", None),
            args=args,
            rootdir_cmd_arg=None,
            invocation_dir=config.invocation_params.dir,
        )[0]
    except Exception:
        return HarnessRoot(pytest_root)
    root = Path(found).resolve()
    if root == pytest_root.resolve():
        return HarnessRoot(pytest_root)
    return HarnessRoot(root, pytest_rootdir=pytest_root)
