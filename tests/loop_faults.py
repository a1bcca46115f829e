"""Broken Loop exports, made on purpose: each must be a clear error, never a traceback."""

from __future__ import annotations

import io
import struct
import zipfile

HEADER = ("Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit,"
          "Target Type,Target Value,Archived?\n")
MEMBER = "001 Walk/Checkmarks.csv"


def make_zip(files: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def valid() -> bytes:
    return make_zip({"Habits.csv": HEADER + "001,Walk,YES_NO,,,1,1,,,,,false\n",
                     MEMBER: "Date,Value,Notes\n" + "2026-01-01,YES_MANUAL,a note\n" * 400})


def corrupt_deflate() -> bytes:
    """The compressed bytes of a member scrambled."""
    data = bytearray(valid())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(MEMBER)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + 40):
        data[offset] ^= 0x5A
    return bytes(data)


def understated_size() -> bytes:
    """The local header and the central directory both claim the member inflates to 10 bytes."""
    data = bytearray(valid())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(MEMBER)
    struct.pack_into("<I", data, info.header_offset + 22, 10)
    central = bytes(data).rindex(b"PK\x01\x02")  # the directory's last entry is this member's
    assert bytes(data[central + 46:central + 46 + len(info.filename)]) == info.filename.encode()
    struct.pack_into("<I", data, central + 24, 10)
    return bytes(data)


def truncated() -> bytes:
    return valid()[:200]


def garbage() -> bytes:
    return b"\x00\xff garbage \x13\x37" * 50


def lone_cr() -> bytes:
    return make_zip({"Habits.csv": HEADER + "001,Wal\rk,YES_NO,,,1,1,,,,,false\n"})
