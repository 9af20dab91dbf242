"""Tables of the keyed audit chain (data store); no personal data.

* ``audit_macs``: one HMAC per audit record, chained (``audit.keyed``): the MAC of record
  N is HMAC(chain key, MAC of N-1 || hash of N). The chain key lives in the key store, so
  someone with write access to the data store alone can recompute hashes but not MACs.
  Rows outlive pruned records: the MAC at a pruning point is where verification resumes.
* ``audit_mac_head``: one row (id 1): the first keyed seq, and the last seq and MAC.

The Alembic revision ``0012_keyed_audit_chain`` creates these tables; keep both in step.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from discreet.store.models import Base


class AuditMac(Base):
    __tablename__ = "audit_macs"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    mac: Mapped[str] = mapped_column(String(64))


class AuditMacHead(Base):
    __tablename__ = "audit_mac_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    mac: Mapped[str] = mapped_column(String(64))
