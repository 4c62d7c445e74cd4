"""The OParl importer (``rathaus import-oparl``, docs/oparl-import.md): walks an OParl 1.0 or
1.1 server into the council tables of one authority."""

from rathaus.council.oparl_import.report import Report
from rathaus.council.oparl_import.runner import ACTION, ImportFailed, last_complete_run, run

__all__ = ["ACTION", "ImportFailed", "Report", "last_complete_run", "run"]
