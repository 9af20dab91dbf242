"""What the steps of a turn use of the gateway: its collaborators, read at call time.

`turn.Gateway` provides them. A protocol rather than a frozen copy, because an operator
(and a test) may swap the consent gate, the backend or the limits of a running gateway,
and the next turn must use the new ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from discreet.conversations.fence import RunningErasures
from discreet.conversations.states import ConversationStates
from discreet.detect.detector import Detector
from discreet.gateway.backend import ChatBackend
from discreet.gateway.limits import TurnLimits
from discreet.gateway.outbound import CleanTexts
from discreet.gateway.turncache import PseudonymCache
from discreet.guard import OutputGuard
from discreet.policy import Policy
from discreet.transform import Pseudonymizer
from discreet.vault import Vault, VaultTokenStore

if TYPE_CHECKING:
    from discreet.consent.decision import ConsentChecker
    from discreet.gateway.assistant import EmbeddedAssistant


class TurnServices(Protocol):
    policy: Policy
    vault: Vault
    detector: Detector
    backend: ChatBackend
    consent: ConsentChecker
    states: ConversationStates
    erasures: RunningErasures
    guard: OutputGuard
    cache: PseudonymCache
    clean_texts: CleanTexts
    limits: TurnLimits
    token_store: VaultTokenStore

    @property
    def embedded_assistant(self) -> EmbeddedAssistant | None: ...

    def pseudonymizer(self, assistant: str) -> Pseudonymizer: ...


__all__ = ["TurnServices"]
