"""Self-updates of an installed terminal, the part that needs neither Qt nor the network.

An installed terminal's program folder holds every release beside the others and a ``current`` link::

    /opt/zwgk-kiosk/                   (the install root; C:\\zwgk-kiosk\\ on Windows)
        releases/2026.12.1/kiosk …     one unpacked bundle per release
        releases/2026.12.2/kiosk …
        current  -> releases/2026.12.2 what the unit starts (switched atomically)
        previous -> releases/2026.12.1 the version before the last switch (the boot guard runs from it)

``layout`` finds the root and switches the links, ``unpack`` installs an archive beside the running
release, ``state`` keeps the updater's progress in the data folder (written atomically, so a kill -9 or a
power cut at any instant leaves a state the next start understands), ``hours`` reads a zone's opening
hours, and ``guard`` decides at each start whether a new release came up healthy or must be switched back.
The network side (fetching the signed list and the archive) is :mod:`sync.updater`.
"""
