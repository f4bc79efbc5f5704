"""The CLI as scripts and IT use it: real processes, real files, exit codes, stdout/stderr."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.conftest import Run


def test_capture_prints_only_the_new_id_and_search_finds_it(inflow: Run) -> None:
    result = inflow("capture", "--kind", "tip", "--title", "Rebase often", "--tag", "git", "keep branches short")
    assert result.returncode == 0, result.stderr
    moment_id = result.stdout.strip()
    assert result.stdout == moment_id + "\n" and len(moment_id) == 36
    found = inflow("search", "rebase", "--json")
    assert found.returncode == 0
    hits = json.loads(found.stdout)
    assert [h["id"] for h in hits] == [moment_id]
    assert hits[0]["tags"] == ["git"] and hits[0]["kind"] == "tip"


def test_capture_reads_text_from_stdin(inflow: Run) -> None:
    moment_id = inflow("capture", "--title", "piped", stdin="from a pipe\n").stdout.strip()
    shown = json.loads(inflow("show", moment_id, "--json").stdout)
    assert shown["body"] == "from a pipe"


def test_empty_capture_fails_with_a_reason(inflow: Run) -> None:
    result = inflow("capture", stdin="")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("inflow: Nothing to save yet")


def test_oversized_capture_is_refused(inflow: Run) -> None:
    result = inflow("capture", stdin="x" * (1024 * 1024 + 10))
    assert result.returncode == 1
    assert "1 MiB" in result.stderr


def test_bad_usage_exits_2(inflow: Run) -> None:
    assert inflow("capture", "--kind", "poem", "x").returncode == 2
    assert inflow("no-such-command").returncode == 2


def test_search_accepts_any_text_and_no_hits_is_success(inflow: Run) -> None:
    inflow("capture", "--title", "C++ tricks", "std::move")
    for query in ["C++", "e-mail", '"', "'", "NEAR(", "a AND", "*", "()"]:
        result = inflow("search", query, "--json")
        assert result.returncode == 0, (query, result.stderr)
        assert isinstance(json.loads(result.stdout), list)
    assert len(json.loads(inflow("search", "C++", "--json").stdout)) == 1
    assert json.loads(inflow("search", "nothing-like-this", "--json").stdout) == []


def test_search_filters_by_kind_and_tag(inflow: Run) -> None:
    inflow("capture", "--kind", "question", "--tag", "k8s", "--title", "pods restart?")
    inflow("capture", "--kind", "tip", "--title", "pods restart with kubectl rollout")
    assert len(json.loads(inflow("search", "pods", "--json").stdout)) == 2
    assert [h["kind"] for h in json.loads(inflow("search", "pods", "--kind", "tip", "--json").stdout)] == ["tip"]
    assert [h["title"] for h in json.loads(inflow("search", "pods", "--tag", "k8s", "--json").stdout)] == [
        "pods restart?"
    ]


def test_export_json_and_markdown(inflow: Run, tmp_path: Path) -> None:
    inflow("capture", "--kind", "resource", "--url", "https://example.org/a", "--title", "Example", "note")
    inflow("capture", "--title", "Second", "--tag", "x", "body two")
    out = tmp_path / "export.json"
    assert inflow("export", "--format", "json", str(out)).returncode == 0
    document = json.loads(out.read_text())
    assert document["format"] == "inflow-export"
    assert sorted(m["title"] for m in document["moments"]) == ["Example", "Second"]
    folder = tmp_path / "md"
    assert inflow("export", "--format", "markdown", str(folder)).returncode == 0
    files = sorted(folder.glob("*.md"))
    assert len(files) == 2
    text = next(f for f in files if "example" in f.name).read_text()
    assert text.startswith("---\nid: ")
    assert 'url: "https://example.org/a"' in text and text.rstrip().endswith("note")


def test_basedir_flag_and_environment_isolate_everything(inflow: Run, basedir: Path, tmp_path: Path) -> None:
    inflow("capture", "in basedir")
    assert (basedir / "data" / "inflow.db").exists()
    other = tmp_path / "other"
    env_run = inflow("search", "basedir", "--json", env={"INFLOW_BASEDIR": str(other)}, global_args=())
    assert json.loads(env_run.stdout) == []
    assert (other / "data" / "inflow.db").exists()
    # the flag wins over the environment
    both = inflow("search", "basedir", "--json", env={"INFLOW_BASEDIR": str(other)})
    assert len(json.loads(both.stdout)) == 1


def test_show_unknown_id_fails(inflow: Run) -> None:
    result = inflow("show", "does-not-exist")
    assert result.returncode == 1 and "no moment" in result.stderr


def test_doctor_reports_paths_and_config_problems(inflow: Run, basedir: Path) -> None:
    (basedir / "config").mkdir(parents=True)
    (basedir / "config" / "config.toml").write_text('autostart = "yes"\nmystery = 1\n')
    result = inflow("doctor", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["paths"]["database"] == str(basedir / "data" / "inflow.db")
    assert report["running"] is False
    assert any("'autostart' must be true or false" in p for p in report["config_problems"])
    assert any("unknown setting 'mystery'" in p for p in report["config_problems"])
    human = inflow("doctor").stdout
    assert "Hotkey:" in human and "2 problem(s)" in human


def test_corrupt_database_is_moved_aside_and_reported(inflow: Run, basedir: Path) -> None:
    (basedir / "data").mkdir(parents=True)
    (basedir / "data" / "inflow.db").write_bytes(b"garbage" * 1000)
    result = inflow("capture", "after corruption")
    assert result.returncode == 0
    assert "moved to" in result.stderr
    aside = list((basedir / "data").glob("inflow.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b"garbage" * 1000


def test_unwritable_data_location_is_a_clear_failure(inflow: Run, basedir: Path) -> None:
    basedir.mkdir(parents=True)
    (basedir / "data").write_text("a file where the data folder should be")
    result = inflow("capture", "will not fit")
    assert result.returncode == 1
    assert "data folder" in result.stderr


def test_read_only_data_folder_as_an_unprivileged_user(tmp_path: Path) -> None:
    """Root writes into a 0555 folder, so this runs the CLI as nobody (setpriv) when we are root."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile

    import pytest

    shared = Path(tempfile.mkdtemp(prefix="inflow-ro-", dir="/tmp"))
    try:
        base = shared / "base"
        (base / "data").mkdir(parents=True)
        runtime = shared / "run"
        runtime.mkdir()
        os.chmod(shared, 0o755)
        os.chmod(base, 0o755)
        os.chmod(base / "data", 0o555)
        command = [sys.executable, "-m", "app", "--basedir", str(base), "capture", "--title", "kept?", "text"]
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.fail("setpriv (util-linux) is needed to test permissions as root")
            os.chown(runtime, 65534, 65534)
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        env = {"PATH": os.environ["PATH"], "XDG_RUNTIME_DIR": str(runtime), "HOME": str(shared)}
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert result.returncode == 1, result.stdout + result.stderr
        assert result.stderr.startswith("inflow: ")
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "read-only" in result.stderr
    finally:
        os.chmod(base / "data", 0o755)
        shutil.rmtree(shared, ignore_errors=True)


def test_self_test_passes_on_a_good_installation(inflow: Run) -> None:
    result = inflow("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("self-test: passed")
    assert "ok       database:" in result.stdout


def test_self_test_fails_naming_what_is_broken(inflow: Run, basedir: Path) -> None:
    from tests.helpers import make_newer_library

    make_newer_library(basedir / "data" / "inflow.db")
    result = inflow("--self-test", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 1
    assert "failed   database:" in result.stdout
    assert "newer version of Inflow" in result.stdout


def test_self_test_without_a_keyring_is_only_a_warning(inflow: Run) -> None:
    result = inflow(
        "--self-test",
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        },
    )
    assert result.returncode == 0, result.stdout
    assert "warning  keyring:" in result.stdout


# ---------------------------------------------------------------------- targets: no tokens over plain http://


def _add(inflow: Run, kind: str, *sets: str) -> subprocess.CompletedProcess[str]:
    return inflow("target", "add", kind, "--name", "lab", *[arg for s in sets for arg in ("--set", s)])


def _closed_proxy() -> dict[str, str]:
    """Every request of the child goes to a loopback port nobody listens on (nothing leaves this computer)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = f"http://127.0.0.1:{port}"
    return {"HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": "", "INFLOW_SECRET_LAB": "s"}


def test_target_add_refuses_plain_http_to_another_computer(inflow: Run) -> None:
    for kind, sets in (
        ("matrix", ("url=http://example.com", "room=!r:example.com")),
        ("webhook", ("url=http://example.com/hook",)),
    ):
        result = _add(inflow, kind, *sets)
        assert result.returncode == 1, (kind, result.stderr)
        assert "plain http://" in result.stderr and "use https://" in result.stderr, result.stderr
        assert "allow_insecure_http=true" in result.stderr
    assert json.loads(inflow("target", "list", "--json").stdout) == []


def test_target_add_takes_loopback_http_and_https(inflow: Run) -> None:
    assert _add(inflow, "webhook", "url=http://127.0.0.1:8080/hook").returncode == 0
    assert inflow("target", "add", "matrix", "--name", "m", "--set", "url=http://localhost:8008",
                  "--set", "room=!r:localhost").returncode == 0  # fmt: skip
    assert inflow("target", "add", "webhook", "--name", "w", "--set", "url=https://example.com/hook").returncode == 0


def test_the_opt_out_lets_a_test_lab_use_plain_http(inflow: Run) -> None:
    added = _add(inflow, "matrix", "url=http://lab.example", "room=!r:lab", "allow_insecure_http=true")
    assert added.returncode == 0, added.stderr
    tested = inflow("target", "test", "lab", env=_closed_proxy())
    assert tested.returncode == 1
    assert "plain http://" not in tested.stderr  # it went out (to the loopback proxy, which refused)


def test_permit_insecure_http_false_voids_the_opt_out(inflow: Run, basedir: Path) -> None:
    config = basedir / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("permit_insecure_http = false\n")
    refused = _add(inflow, "webhook", "url=http://lab.example/hook", "allow_insecure_http=true")
    assert refused.returncode == 1
    assert "permit_insecure_http = false" in refused.stderr, refused.stderr
    config.write_text(
        'permit_insecure_http = false\n[targets.lab]\nkind = "webhook"\nurl = "http://lab.example/hook"\n'
        "allow_insecure_http = true\n"
    )
    tested = inflow("target", "test", "lab", env=_closed_proxy())
    assert tested.returncode == 1
    assert "plain http://" in tested.stderr and "lab.example" in tested.stderr, tested.stderr


def test_a_plain_http_target_in_the_file_is_reported_kept_and_not_sent_to(inflow: Run, basedir: Path) -> None:
    config = basedir / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[targets.lab]\nkind = "webhook"\nurl = "http://example.com/hook"\n')
    problems = json.loads(inflow("doctor", "--json").stdout)["config_problems"]
    assert any("'url' http://example.com/hook is plain http://" in p and "queued is kept" in p for p in problems)
    assert [t["name"] for t in json.loads(inflow("target", "list", "--json").stdout)] == ["lab"]
    tested = inflow("target", "test", "lab", env=_closed_proxy())
    assert tested.returncode == 1
    assert "does not send your credentials or data to example.com over plain http://" in tested.stderr
