"""send-mediation: a SEND disagreement from the local authority's decision to its resolution."""

import os

# Piccolo finds its engine through this module; set before any table is imported.
os.environ.setdefault("PICCOLO_CONF", "mediation.piccolo_conf")
