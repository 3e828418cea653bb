"""The built wheel carries the data: install it into a fresh venv and load every table there."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_wheel_installs_and_loads_every_table(tmp_path: Path, root: Path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(root)], check=True, capture_output=True, text=True
    )
    wheel = next(dist.glob("jsp_data-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # dependencies come from the index (or pip's cache); the package itself only from the wheel
    subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True)
    code = (
        "import jsp_data, pathlib\n"
        "root = jsp_data.paths.data_root()\n"
        "assert 'site-packages' in str(root), root\n"
        "for name in jsp_data.list_tables():\n"
        "    df = jsp_data.load(name, validate=True)\n"
        "    print(name, len(df))\n"
        "print('version', jsp_data.data_version())\n"
    )
    out = subprocess.run([python, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    counts = dict(line.split() for line in out.stdout.splitlines())
    import jsp_data

    for name in jsp_data.list_tables():
        assert int(counts[name]) == len(jsp_data.load(name)), name
    assert counts["version"] == str(jsp_data.data_version())
    cli = subprocess.run([env_dir / "bin" / "jsp-data", "validate"], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
