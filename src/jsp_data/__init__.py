"""jsp-data: Japan's security partnerships in the Asia-Pacific, as typed, cited tables.

Use ``list_tables()`` to see what exists and ``load(name)`` to get a table. Nothing is read and
no heavy library is imported until a function is called.
"""

from ._version import __version__
from .cite import cite, sources_for
from .descriptor import UnknownTableError, list_tables, metadata
from .download import DownloadError, download
from .exports import export
from .load import describe, load, schema
from .panel import dyad_year, participation
from .problems import Problem
from .releases import UnknownVersionError, data_version, versions
from .validate import UsageError, validate

__all__ = [
    "DownloadError",
    "Problem",
    "UnknownVersionError",
    "UnknownTableError",
    "UsageError",
    "__version__",
    "cite",
    "data_version",
    "download",
    "dyad_year",
    "export",
    "sources_for",
    "versions",
    "describe",
    "list_tables",
    "load",
    "metadata",
    "participation",
    "schema",
    "validate",
]
