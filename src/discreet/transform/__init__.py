"""Pseudonymisation: operators, the Pseudonymizer, rehydration (also streaming).

>>> from discreet.detect import Detector
>>> store = MemoryTokenStore()
>>> pseudonymizer = Pseudonymizer(Detector(), OperatorConfig(), store)
>>> out = pseudonymizer.pseudonymize("Mail jan@example.nl", "conv-1")   # doctest: +SKIP
>>> out.text                                                            # doctest: +SKIP
'Mail [EMAIL_ADDRESS_1]'
>>> rehydrate(out.text, "conv-1", store).text                           # doctest: +SKIP
'Mail jan@example.nl'
"""

from discreet.transform.config import (
    GeneralizeSpec,
    HashSpec,
    MaskSpec,
    OperatorConfig,
    OperatorSpec,
    PlaceholderSpec,
    RedactSpec,
    SurrogateSpec,
    TokenSpec,
    parse_override,
)
from discreet.transform.operators import OperatorError
from discreet.transform.pseudonymizer import (
    ConversationTurn,
    PseudonymizedText,
    Pseudonymizer,
    ReplacedSpan,
)
from discreet.transform.rehydrate import (
    RehydrationResult,
    Rehydrator,
    StreamingRehydrator,
    rehydrate,
)
from discreet.transform.tokenformat import DEFAULT_TOKEN_FORMAT, TokenFormat
from discreet.transform.tokens import MemoryTokenStore, TokenMapStore

__all__ = [
    "DEFAULT_TOKEN_FORMAT",
    "ConversationTurn",
    "GeneralizeSpec",
    "HashSpec",
    "MaskSpec",
    "MemoryTokenStore",
    "OperatorConfig",
    "OperatorError",
    "OperatorSpec",
    "PlaceholderSpec",
    "PseudonymizedText",
    "Pseudonymizer",
    "RedactSpec",
    "RehydrationResult",
    "Rehydrator",
    "ReplacedSpan",
    "StreamingRehydrator",
    "SurrogateSpec",
    "TokenFormat",
    "TokenMapStore",
    "TokenSpec",
    "parse_override",
    "rehydrate",
]
