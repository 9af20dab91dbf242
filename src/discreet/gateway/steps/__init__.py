"""The chat turn as a pipeline of small named steps over frozen facts (see
`gateway/turn.py` for the order, `facts` for what passes between them)."""
