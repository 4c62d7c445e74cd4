"""The OParl 1.1 server below ``/oparl/v1/`` (``docs/oparl.md``).

``addresses`` builds the ids and links, ``visibility`` says which files the public may see (those
with a live public owner), ``serializers`` turns rows into OParl objects, ``querysets`` loads a
list page with everything it embeds in a constant number of queries, ``paging`` reads the list
parameters and writes ``pagination`` and ``links``, ``views`` and ``files`` answer the requests.
"""
