"""``polevents serve``: the Linked Data server and SPARQL 1.1 Protocol endpoint.

Modules, in the order a request meets them::

    server    bind the socket, load the data, run uvicorn
    data      the dataset in a read-only on-disk Oxigraph store
    app       the Starlette routes: home, dereferencing, browse, VoID, dumps
    urls      IRI <-> local path (the base's path is the local root)
    negotiate Accept header with q-values
    describe  an IRI's RDF description and its HTML view; display: dates, labels
    pages     Jinja2 templates (autoescaped)
    files     dist/ downloads: media types, ETag, 304, no path traversal
    sparql    the /sparql endpoint (polevents.query.scan: the query lexer); protocol: reading requests
    worker    query worker processes with deadlines; results: result formats with a row cap

This package's ``__init__`` imports nothing heavy: the query workers import
``polevents.serve.worker`` and must start fast.
"""
