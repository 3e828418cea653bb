"""`import jsp_data` must not import the heavy libraries."""

import subprocess
import sys


def test_import_imports_no_heavy_library():
    code = (
        "import sys, jsp_data; heavy = [m for m in ('pandas', 'pyarrow', 'pandera', 'frictionless', 'numpy') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
