"""Invented demo content for a new archive: `fanworks demo`.

`world` invents fandoms, casts and users; `prose` writes text from a small sentence grammar;
`plan` decides what each numbered work looks like; `load` writes it all in bulk.
"""
