"""The e-file (E-Akte): a file plan per authority, files, documents with versions, full text,
retention and deletion, and the xdomea exchange with archives and other authorities."""
