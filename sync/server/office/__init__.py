"""The district 政务公开 office's back office: its tables (:mod:`.models`), each application's handling
under the 政府信息公开条例 (:mod:`.lifecycle`), the console (:mod:`.cases`, :mod:`.documents`), the formal
notices, the monthly evaluation, the public status page and the office's commands.

The office's errors are its own (:class:`OfficeError`); deadlines are counted with the shared core's
``kiosk.workdays``, so terminal and server give the same date.
"""
