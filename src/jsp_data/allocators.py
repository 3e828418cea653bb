"""Memory allocator settings for one large run of the ``jsp-data validate`` process.

A million-row validation allocates and frees hundreds of column-sized buffers. By default the
allocators hand freed memory back to the kernel (mimalloc, under pyarrow, after 10 ms; glibc,
under numpy and pandas, above a trim threshold), so the next buffer of the same size is fresh
memory the kernel must zero again, and numpy asks for 2 MB pages that are zeroed whole. On the
benchmark machine (benchmarks/run.py) that zeroing was a third of the run's CPU time. Keeping
freed memory for reuse cut the memory zeroed per run by a fifth (2.0 GB to 1.65 GB) and the
CPU time by about 8%.

Only the command-line process applies them (a library must not change its host's allocators),
before pyarrow and numpy are imported: both read their settings when they load.
"""

from __future__ import annotations

import os

# mimalloc (pyarrow's default memory pool): never return freed memory to the kernel mid-run.
# numpy: no transparent huge pages for its arrays (each is zeroed whole on first touch).
# OpenBLAS (loaded with numpy): no worker threads, which wait for work spinning and the
# validator never multiplies matrices.
ENVIRONMENT = {"MIMALLOC_PURGE_DELAY": "-1", "NUMPY_MADVISE_HUGEPAGE": "0", "OPENBLAS_NUM_THREADS": "1"}
# glibc mallopt parameters: (name, number, value)
_MALLOPT = (
    ("M_TRIM_THRESHOLD", -1, 1 << 30),  # keep up to 1 GB of free memory at the top of a heap
    ("M_TOP_PAD", -2, 64 << 20),  # grow heaps 64 MB at a time
    ("M_MMAP_THRESHOLD", -3, 32 << 20),  # arrays up to 32 MB come from the heaps (reused), not mmap
)


def keep_freed_memory() -> None:
    """Apply the settings above to this process (a no-op where they do not exist: the
    allocators work as before, only slower on a large run). Call it before importing pyarrow,
    numpy or pandas; a setting the user has already given in the environment is left alone."""
    import sys

    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if not sys.platform.startswith("linux") or "GLIBC_TUNABLES" in os.environ:
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl, for one)
        return
    for _, number, setting in _MALLOPT:
        mallopt(number, setting)
