"""The only code that runs the stages in order.

- `poll`: sources -> fetch -> parse -> extract -> brief -> store
- `feeds`: store -> brief rendering -> publish
- `mail`: store -> digest -> deliver, through the delivery ledger
"""
