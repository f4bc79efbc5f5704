"""Ralph's LRS API with the fs backend fixed to append, served by uvicorn on the given host and port.

Run by the Ralph fixture inside .cache/servers/ralph-venv as
`python -P ralph_asgi.py HOST PORT`: `-P` keeps this directory off sys.path, where our own
`ralph.py` (the fixture) would shadow the `ralph` package.

Ralph 5.1.0's fs LRS backend writes its statements file in CREATE mode, so every POST after the first
fails with a 500 ("... already exists and overwrite is not allowed"). An LRS needs APPEND; the class
attribute must be set before `ralph.api` is imported.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run(app, host=host, port=port, log_level="info")
