from . import records, suggestion  # noqa: F401  (registers the ModelAdmins)
