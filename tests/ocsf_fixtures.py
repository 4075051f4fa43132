"""Hand-made OCSF 1.x records, one per class the reader maps, and helpers to write them as JSON lines."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from molehunt.ingest.ocsf_map import utc_millis


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return utc_millis(datetime(year, month, day, hour, minute))


ANN = {"user": {"name": "ALE0001", "uid": "S-1-5-21-1001"}}

LOGON = {
    "class_uid": 3002, "activity_id": 1, "status_id": 1, "time": ms(2010, 1, 4, 7, 58),
    "user": ANN["user"], "device": {"hostname": "PC-0001"}, "metadata": {"uid": "auth-1", "version": "1.1.0"},
}  # fmt: skip
# 22:02 UTC with timezone_offset -300 minutes is 17:02 local time.
LOGOFF = {
    "class_uid": 3002, "activity_id": 2, "time": ms(2010, 1, 4, 22, 2), "timezone_offset": -300,
    "user": {"uid": "ALE0001"}, "dst_endpoint": {"hostname": "PC-0001"}, "metadata": {"uid": "auth-2"},
}  # fmt: skip
USB_CONNECT = {
    "class_uid": 1010, "activity_id": 1, "time": ms(2010, 1, 4, 9, 0), "actor": ANN,
    "device": {"hostname": "PC-0001"},
    "peripheral_device": {"name": "SanDisk Cruzer", "type_id": 1, "serial_number": "4C53"},
}  # fmt: skip
FILE_TO_USB = {
    "class_uid": 1001, "activity_id": 1, "time": ms(2010, 1, 4, 9, 1), "actor": ANN,
    "device": {"hostname": "PC-0001"},
    "file": {"name": "X1.doc", "path": "E:\\Atlas\\X1.doc", "type_id": 1, "drive_type_id": 1, "size": 2048},
}  # fmt: skip
FILE_FROM_USB = {
    "class_uid": 1001, "activity_id": 14, "time": ms(2010, 1, 4, 9, 2), "actor": ANN,
    "file": {"name": "notes.zip", "path": "E:\\notes.zip", "type_id": 1, "drive_type": "Removable"},
}  # fmt: skip
FILE_MOVED_TO_USB = {
    "class_uid": 1001, "activity_id": 5, "time": ms(2010, 1, 4, 9, 3), "actor": ANN,
    "file": {"name": "a.pdf", "path": "C:\\a.pdf", "type_id": 1, "drive_type_id": 2},
    "file_result": {"name": "a.pdf", "path": "E:\\a.pdf", "type_id": 1, "drive_type_id": 1},
}  # fmt: skip
EMAIL = {
    "class_uid": 4009, "activity_id": 1, "time": ms(2010, 1, 4, 10, 0), "direction_id": 2, "actor": ANN,
    "device": {"hostname": "PC-0001"}, "metadata": {"uid": "mail-1"},
    "email": {
        "from": "Ann.Lee@dtaa.com", "to": ["Bob.Ray@dtaa.com", "x@gmail.com"], "cc": ["y@corp.com"],
        "size": 30000, "subject": "files",
        "files": [{"name": "a.pdf", "type_id": 1, "size": 1200}, {"name": "b.doc", "type_id": 1, "size": 800}],
    },
}  # fmt: skip
HTTP_UPLOAD = {
    "class_uid": 4002, "activity_id": 6, "time": ms(2010, 1, 4, 11, 0), "actor": ANN,
    "src_endpoint": {"hostname": "PC-0001"},
    "http_request": {"http_method": "POST", "url": {
        "url_string": "https://www.Dropbox.com/u?x=1", "hostname": "www.Dropbox.com", "path": "/u"}},
}  # fmt: skip
HTTP_DOWNLOAD = {
    "class_uid": 4002, "activity_id": 3, "time": ms(2010, 1, 4, 11, 5), "actor": ANN,
    "http_request": {"url": {"url_string": "http://wikileaks.org/tools/a.exe"}},
    "file": {"name": "a.exe", "type_id": 1},
}  # fmt: skip
HTTP_CONNECT = {
    "class_uid": 4002, "activity_id": 1, "time": ms(2010, 1, 4, 11, 6), "actor": ANN,
    "http_request": {"url": {"hostname": "monster.com", "scheme": "https"}},
}  # fmt: skip

GOOD = [LOGON, LOGOFF, USB_CONNECT, FILE_TO_USB, FILE_FROM_USB, FILE_MOVED_TO_USB, EMAIL, HTTP_UPLOAD, HTTP_DOWNLOAD,
        HTTP_CONNECT]  # fmt: skip


def line(record: dict[str, Any] | str, **changes: Any) -> str:
    """A record as one JSON line, with top-level fields replaced (a None value removes the field)."""
    if isinstance(record, str):
        return record
    merged = {k: v for k, v in (record | changes).items() if v is not None}
    return json.dumps(merged)


def write_jsonl(path: Path, lines: list[str | bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path
