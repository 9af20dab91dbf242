"""Operations and accountability: the incident register with its 72-hour clock, metrics
and masked logs, anomaly signals and alerts, reports (RoPA, DPIA, evidence pack),
backups with an erasure ledger, and the self-test.

Modules are imported where used (``from discreet.ops.incidents import ...``): the metrics
and logging helpers are light, the reports and backups pull in more.
"""
