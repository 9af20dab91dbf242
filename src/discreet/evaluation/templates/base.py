"""The shape of a language's template pack (see :mod:`discreet.evaluation.render` for syntax)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LanguagePack:
    language: str
    email_subjects: tuple[str, ...]
    """Optional first line of an e-mail ("Subject: Order 12345")."""
    email_greetings_customer: tuple[str, ...]
    """How a customer opens an e-mail to the shop."""
    email_greetings_agent: tuple[str, ...]
    """How an agent opens an e-mail to the customer ("Dear Mrs. de Vries,")."""
    customer_lines: tuple[str, ...]
    """Body sentences a customer writes (orders, deliveries, returns, billing, account...)."""
    agent_lines: tuple[str, ...]
    """Body sentences an agent writes."""
    negative_lines: tuple[str, ...]
    """Sentences built around hard negatives (products, prices, failing checksums...)."""
    chat_openers: tuple[str, ...]
    """Short customer chat openers ("hi", "hallo, met {first}")."""
    chat_agent_lines: tuple[str, ...]
    """Short agent chat turns."""
    closings_customer: tuple[str, ...]
    signatures_customer: tuple[str, ...]
    closings_agent: tuple[str, ...]
    signatures_agent: tuple[str, ...]
    chat_roles: tuple[tuple[str, str], ...]
    """(customer prefix, agent prefix) pairs for chat transcripts; "" for none."""
    lookalikes: tuple[str, ...]
    """Phrases that look like addresses or names but are not ("Sesame Street season 2")."""

    def template_count(self) -> int:
        return sum(
            len(group)
            for group in (
                self.email_subjects,
                self.email_greetings_customer,
                self.email_greetings_agent,
                self.customer_lines,
                self.agent_lines,
                self.negative_lines,
                self.chat_openers,
                self.chat_agent_lines,
                self.signatures_customer,
                self.signatures_agent,
            )
        )
