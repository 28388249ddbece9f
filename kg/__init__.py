"""Hankegraph: a knowledge graph of Finnish regional development projects.

The one-call API is :func:`kg.build.build`; heavy libraries (spaCy, Voikko,
pyoxigraph) are imported only inside the functions that need them, so that
``import kg`` stays fast.
"""

__version__ = "0.1.0"
