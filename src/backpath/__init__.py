"""BackPath: evidence-based, non-surgical back pain care.

BackPath supports, and does not replace, a clinician's judgement.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "BackPath supports, and does not replace, a clinician's judgement. "
    "Its output is decision support for a qualified clinician, not a diagnosis or a prescription."
)
