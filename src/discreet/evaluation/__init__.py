"""Evaluation tooling: a labelled, synthetic customer-service corpus.

The corpus trains discreet's own NER model and measures the detector against peers. It is
synthetic on purpose: every value is fake (Faker plus checksum-valid generators), so the
corpus can be shared, versioned and regenerated bit-for-bit from a seed.
"""
