"""Print one of README.md's two commands ('main' or 'test'), so CI runs exactly what users run.

The commands are the fenced bash blocks under '## Two commands': the first installs and runs the
main job, the second installs and runs the tests. It drops the venv creation: CI has made its own.
"""

import re
import sys
from pathlib import Path

text = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text("utf-8")
section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"```bash\n(.*?)\n```", section, re.S)
command = blocks[{"main": 0, "test": 1}[sys.argv[1]]].strip()
print(command.replace("python3 -m venv .venv && . .venv/bin/activate && ", ""))
