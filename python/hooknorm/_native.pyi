"""Type stubs of the native module ``hooknorm._native`` (the Rust engine, PyO3)."""

import os
from typing import Any, Dict, List, Optional, Tuple, Union

#: Every error kind of the engine, in declaration order.
ERROR_KINDS: List[str]
#: The dotted ``type`` of each contract event type (``PAYMENT_INTENT_SUCCESS`` -> ``payment.captured``).
EVENT_TYPES: Dict[str, str]

class HandleFailure(Exception):
    """A failed call; ``args`` is ``(kind, message, report, delta_seconds)``."""

    args: Tuple[str, str, List[Dict[str, Any]], Optional[int]]

class Engine:
    """The compiled connector specs: the bundled set, or those of a directory."""

    def __init__(self, connectors_dir: Union[str, os.PathLike[str], None] = None) -> None: ...
    def connectors(self) -> List[str]: ...
    def has_connector(self, name: str) -> bool: ...
    def handle(
        self,
        connector: str,
        body: bytes,
        headers: Dict[str, str],
        secrets: List[Tuple[str, str]],
        url: str,
        method: str,
        merchant_event_id: Optional[str] = None,
        now: Optional[int] = None,
    ) -> Dict[str, Any]: ...
    def sign(
        self,
        connector: str,
        body: bytes,
        secrets: List[Tuple[str, str]],
        url: str,
        now: int,
        scheme: Optional[str] = None,
    ) -> Tuple[Dict[str, str], bytes]: ...
