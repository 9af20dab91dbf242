"""Conversations: the stores that the gateway, rights and retention share.

* :mod:`.states` -- each conversation's gateway state (assistant, turns, handoff, closed)
  and its subject-data holder;
* :mod:`.transcripts` -- the pseudonymised transcripts and their holder;
* :mod:`.apikeys` -- API keys (assistant and operator);
* :mod:`.models` -- their tables.

Below the gateway and the governance packages; it never calls the model. Kept free of
imports here, so :mod:`discreet.store.models` can register the tables without a cycle.
"""
