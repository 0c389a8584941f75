"""Software releases for the terminals: publish a bundle once, roll it out zone by zone, halt it
(``python -m sync.server release …``); terminals learn of it from the signed manifest and fetch it."""
