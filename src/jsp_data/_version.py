"""The one place where the data and package version and the repository address are written.

``jsp-data build`` copies them into datapackage.json; ``jsp-data release`` rewrites them.
"""

__version__ = "0.4.0"
REPOSITORY_URL = "https://github.com/jsp-data/jsp-data"
