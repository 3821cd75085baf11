"""Command-line and ini options of the plugin, and the settings they resolve to.

Every option exists on the command line and in `[tool.pytest.ini_options]`
(the command line wins). Paths from the command line are relative to the
current directory, paths from ini to the harness root (rootdir.py: pytest's
rootdir rules over the scenario paths, never over an option's value).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.backends.registry import _LAZY_MODULES, BACKEND_NAMES
from harness.inputs.variables import environment_overrides, parse_assignments
from harness.plugin.cellfilter import CellFilter, CellFilterError
from harness.plugin.rootdir import HarnessRoot, harness_root

MATRIX_MODES = ("auto", "full", "none")
# Above this many cells `--iam-matrix auto` prints per-scenario counts instead of the full matrix.
AUTO_MATRIX_LIMIT = 200
ITEM_MODES = ("auto", "cell", "scenario")
# `--iam-items auto`: a file with more cells than this gets one item per scenario and principal.
# Below it pytest's per-item cost (~0.7 ms and ~6 KB a cell) is under a second a file, and one item
# per cell serves `-k` on a cell, `--lf` and readable ids; hand-written packs stay far below it.
AUTO_GROUP_LIMIT = 1000


@dataclass(frozen=True)
class HarnessOptions:
    backend: str
    account: Path | None
    report_dir: Path
    variables: dict[str, str]
    matrix: str
    baseline: Path | None
    aws_profile: str | None
    aws_region: str | None
    backend_opts: tuple[tuple[str, str], ...]
    xdist_loadfile: bool
    render_reports: bool
    root: HarnessRoot
    # A baseline from a subset run (-k, -m, --lf, node ids) is refused unless this is set.
    baseline_partial_ok: bool = False
    # How cells become pytest items: auto | cell | scenario (collection.py).
    items: str = "auto"
    # --iam-cell: which cells run (None: all); the others count as deselected.
    cell_filter: CellFilter | None = None
    # --iam-plan: Terraform plans / CloudFormation templates applied to the account model (docs/plans.md).
    plans: tuple[Path, ...] = ()


# (flag, backend option key, metavar, help) for settings of the aws backend that
# deserve their own flag; each also exists as an ini key `iam_<key>`.
_AWS_SHORTHANDS = (
    ("--iam-assume-role", "assume_role", "ARN", "role to assume before simulating (checks another account)."),
    ("--iam-external-id", "external_id", "ID", "external id for --iam-assume-role."),
    ("--iam-max-concurrency", "max_concurrency", "N", "simulator calls in flight per process (default 4)."),
    (
        "--iam-caller-mode",
        "caller_mode",
        "MODE",
        "role callers against a resource policy: auto (the role itself, a stand-in user where refused; "
        "default) | direct | stand-in.",
    ),
)


def _add_run_options(group: pytest.OptionGroup) -> None:
    """What runs: the backend, the account model, the scenario variables, where results go."""
    group.addoption(
        "--iam-backend",
        choices=BACKEND_NAMES,
        default=None,
        help="who answers: offline (local engine, default), aws (IAM Policy Simulator), compare (both).",
    )
    group.addoption(
        "--iam-account", metavar="FILE", default=None, help="account model for offline principal mode."
    )
    group.addoption(
        "--iam-report-dir", metavar="DIR", default=None, help="where run.json and reports go (reports/)."
    )
    group.addoption(
        "--iam-var",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a scenario variable (${NAME}); repeatable; beats IAM_HARNESS_VAR_NAME and the file's vars.",
    )
    group.addoption(
        "--iam-plan",
        metavar="FILE",
        action="append",
        default=[],
        help="Terraform plan JSON or CloudFormation template applied to the account model before any "
        "cell is evaluated (docs/plans.md); repeatable.",
    )


def _add_cell_options(group: pytest.OptionGroup) -> None:
    """How cells show: the terminal matrix, the pytest items, which cells run."""
    group.addoption(
        "--iam-matrix", choices=MATRIX_MODES, default=None, help="permission matrix in the terminal (auto)."
    )
    group.addoption(
        "--iam-items",
        choices=ITEM_MODES,
        default=None,
        help=f"pytest items: one per cell, one per scenario and principal, or auto (grouped when a file "
        f"has more than {AUTO_GROUP_LIMIT} cells; the default).",
    )
    group.addoption(
        "--iam-cell",
        metavar="EXPR",
        action="append",
        default=[],
        help="run only cells matching all KEY=GLOB terms (principal, action, resource, scenario, expect, "
        "tag), e.g. 'principal=alice action=kms:*'; repeatable (a cell matching any runs).",
    )


def _add_report_options(group: pytest.OptionGroup) -> None:
    """The reports: the baseline they are diffed against, and whether they are rendered."""
    group.addoption(
        "--iam-baseline", metavar="RUN_JSON", default=None, help="previous run.json to diff reports against."
    )
    group.addoption(
        "--iam-baseline-partial-ok",
        action="store_true",
        default=False,
        help="accept a --iam-baseline from a subset run (-k, -m, --lf, node ids); refused otherwise.",
    )
    group.addoption(
        "--iam-no-reports",
        action="store_true",
        default=False,
        help="write run.json only; do not render the HTML/Markdown/CSV reports.",
    )


def _add_backend_options(group: pytest.OptionGroup) -> None:
    """The aws/compare backends: AWS profile and region, and backend-specific settings."""
    group.addoption(
        "--iam-profile",
        "--iam-aws-profile",
        dest="iam_aws_profile",
        metavar="NAME",
        default=None,
        help="AWS profile for the aws/compare backends (default: boto3's credential chain).",
    )
    group.addoption(
        "--iam-region",
        "--iam-aws-region",
        dest="iam_aws_region",
        metavar="REGION",
        default=None,
        help="AWS region for the aws/compare backends.",
    )
    # Shorthands for the AWS backend's most used settings (the same as --iam-backend-opt KEY=VALUE).
    for flag, key, metavar, text in _AWS_SHORTHANDS:
        group.addoption(flag, dest=f"iam_{key}", metavar=metavar, default=None, help=text)
    group.addoption(
        "--iam-backend-opt",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="backend-specific setting, repeatable.",
    )


def _add_ini_options(parser: pytest.Parser) -> None:
    """The `[tool.pytest.ini_options]` keys (the command line wins over them)."""
    parser.addini("iam_backend", "IAM backend: offline | aws | compare", default="offline")
    parser.addini("iam_account", "account model file for offline principal mode", default="")
    parser.addini("iam_report_dir", "directory for run.json and reports", default="reports")
    parser.addini("iam_vars", "scenario variables, one NAME=VALUE per line", type="linelist", default=[])
    parser.addini("iam_plan", "plans or templates applied to the account model", type="linelist", default=[])
    parser.addini("iam_matrix", "terminal permission matrix: auto | full | none", default="auto")
    parser.addini("iam_items", "pytest items: auto | cell | scenario", default="auto")
    parser.addini("iam_aws_profile", "AWS profile for the aws/compare backends", default="")
    parser.addini("iam_aws_region", "AWS region for the aws/compare backends", default="")
    parser.addini("iam_backend_opts", "backend-specific KEY=VALUE lines", type="linelist", default=[])
    for _flag, key, _metavar, text in _AWS_SHORTHANDS:
        parser.addini(f"iam_{key}", text, default="")
    parser.addini("iam_render_reports", "render reports after writing run.json", type="bool", default=True)
    parser.addini(
        "iam_xdist_loadfile",
        "with -n, send whole scenario files to one worker (one backend call per file)",
        type="bool",
        default=True,
    )


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("iam-harness", "IAM permission scenarios")
    # In this order: it is the order of `pytest --help`.
    _add_run_options(group)
    _add_cell_options(group)
    _add_report_options(group)
    _add_backend_options(group)
    _add_ini_options(parser)


def _choice(config: pytest.Config, name: str, choices: tuple[str, ...], default: str) -> str:
    """Option `name` from the command line, else ini, else `default`; refused unless one of `choices`."""
    value = config.getoption(name) or str(config.getini(name) or default).strip()
    if value not in choices:
        raise pytest.UsageError(f"{name} = {value!r}: choose one of {', '.join(choices)}")
    return value


def _backend(config: pytest.Config) -> str:
    backend = _choice(config, "iam_backend", BACKEND_NAMES, "offline")
    module = _LAZY_MODULES.get(backend)
    if module and importlib.util.find_spec(module) is None:
        raise pytest.UsageError(
            f"--iam-backend {backend}: {module} is not installed in this environment; "
            "use --iam-backend offline"
        )
    return backend


def _variables(config: pytest.Config) -> dict[str, str]:
    """Scenario variables: ini, then IAM_HARNESS_VAR_*, then --iam-var (each beats the one before)."""
    try:
        variables = parse_assignments(list(config.getini("iam_vars")), "iam_vars (ini)")
        variables.update(environment_overrides(os.environ))
        variables.update(parse_assignments(config.getoption("iam_var"), "--iam-var"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    return variables


def _backend_opts(config: pytest.Config) -> dict[str, str]:
    """Backend settings: ini lines, then --iam-backend-opt, then the shorthand flags or ini keys."""
    try:
        backend_opts = parse_assignments(list(config.getini("iam_backend_opts")), "iam_backend_opts (ini)")
        backend_opts.update(_assignments(config.getoption("iam_backend_opt")))
        for _flag, key, _metavar, _text in _AWS_SHORTHANDS:
            value = config.getoption(f"iam_{key}") or str(config.getini(f"iam_{key}") or "").strip()
            if value:
                backend_opts[key] = value
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    return backend_opts


def _cell_filter(config: pytest.Config) -> CellFilter | None:
    try:
        return CellFilter.parse(config.getoption("iam_cell")) if config.getoption("iam_cell") else None
    except CellFilterError as exc:
        raise pytest.UsageError(f"--iam-cell: {exc}") from None


def _baseline(config: pytest.Config, cwd: Path, partial_ok: bool) -> Path | None:
    """--iam-baseline: an existing run.json, from a full run unless `partial_ok`."""
    baseline_arg = config.getoption("iam_baseline")
    baseline = (cwd / baseline_arg).resolve() if baseline_arg else None
    if baseline is not None and not baseline.is_file():
        raise pytest.UsageError(f"--iam-baseline: {baseline} not found (a run.json from an earlier run)")
    if baseline is not None and not partial_ok:
        refusal = partial_baseline_refusal(baseline)
        if refusal:
            raise pytest.UsageError(f"--iam-baseline: {refusal}; pass --iam-baseline-partial-ok to use it")
    return baseline


def resolve(config: pytest.Config) -> HarnessOptions:
    """Read options; raise pytest.UsageError with a clear message for bad values."""
    anchor = harness_root(config)
    root = anchor.path
    cwd = config.invocation_params.dir

    def path_option(cli: str | None, ini_name: str) -> Path | None:
        if cli:
            return (cwd / cli).resolve()
        value = str(config.getini(ini_name) or "").strip()
        return (root / value).resolve() if value else None

    # Checked in this order: with several bad values, the first is the one reported.
    backend = _backend(config)
    account = path_option(config.getoption("iam_account"), "iam_account")
    if account is not None and not account.is_file():
        raise pytest.UsageError(f"--iam-account: account model {account} not found")
    variables = _variables(config)
    backend_opts = _backend_opts(config)
    matrix = _choice(config, "iam_matrix", MATRIX_MODES, "auto")
    items = _choice(config, "iam_items", ITEM_MODES, "auto")
    cell_filter = _cell_filter(config)
    report_dir = path_option(config.getoption("iam_report_dir"), "iam_report_dir") or (root / "reports")
    partial_ok = bool(config.getoption("iam_baseline_partial_ok"))
    baseline = _baseline(config, cwd, partial_ok)
    if report_dir.exists() and not report_dir.is_dir():
        raise pytest.UsageError(f"--iam-report-dir: {report_dir} exists and is not a directory")
    plans = tuple(cwd / p for p in config.getoption("iam_plan")) or tuple(
        root / str(p).strip() for p in config.getini("iam_plan") if str(p).strip()
    )
    for plan in plans:
        if not plan.is_file():
            raise pytest.UsageError(f"--iam-plan: {plan} not found (terraform show -json plan.out > FILE)")
    if plans and backend != "offline":
        # The plan patches the account model; AWS's simulator answers for the account as it is.
        raise pytest.UsageError(
            f"--iam-plan applies to the account model: use --iam-backend offline, not {backend}"
        )
    return HarnessOptions(
        backend=backend,
        account=account,
        report_dir=report_dir,
        variables=variables,
        matrix=matrix,
        baseline=baseline,
        aws_profile=config.getoption("iam_aws_profile") or (str(config.getini("iam_aws_profile")) or None),
        aws_region=config.getoption("iam_aws_region") or (str(config.getini("iam_aws_region")) or None),
        backend_opts=tuple(sorted(backend_opts.items())),
        xdist_loadfile=bool(config.getini("iam_xdist_loadfile")),
        render_reports=not (config.getoption("iam_no_reports") or not config.getini("iam_render_reports")),
        root=anchor,
        baseline_partial_ok=partial_ok,
        items=items,
        cell_filter=cell_filter,
        plans=plans,
    )


def partial_baseline_refusal(path: Path) -> str | None:
    """Why the run result at `path` is no baseline: it came from a subset run. None when it is fine
    (or unreadable: reading it for the reports says what is wrong then)."""
    from harness.run.result import RunResult
    from harness.run.select import baseline_refusal

    try:
        run = RunResult.load(path)
    except (OSError, ValueError):
        return None
    return baseline_refusal(run.metadata, str(path))


def _assignments(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--iam-backend-opt: {item!r} is not KEY=VALUE")
        out[key.strip()] = value
    return out


def dist_explicit(config: pytest.Config) -> bool:
    """Did the user choose an xdist distribution mode themselves?"""
    words = [
        *config.invocation_params.args,
        *config.getini("addopts"),
        *os.environ.get("PYTEST_ADDOPTS", "").split(),
    ]
    return any(str(w) in ("-d", "--dist", "--distload") or str(w).startswith("--dist=") for w in words)
