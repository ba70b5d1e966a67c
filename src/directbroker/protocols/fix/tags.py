"""Tag numbers the whole project names, and the standard header and trailer tags."""

from __future__ import annotations

BEGIN_STRING = 8
BODY_LENGTH = 9
CHECK_SUM = 10
MSG_SEQ_NUM = 34
MSG_TYPE = 35
SENDER_COMP_ID = 49
TARGET_COMP_ID = 56
SENDING_TIME = 52
POSS_DUP_FLAG = 43
POSS_RESEND = 97
ORIG_SENDING_TIME = 122
TEXT = 58

HEADER_TAGS: frozenset[int] = frozenset(
    {
        8,
        9,
        35,
        49,
        56,
        115,
        128,
        90,
        91,
        34,
        50,
        142,
        57,
        143,
        116,
        144,
        129,
        145,
        43,
        97,
        52,
        122,
        212,
        213,
        347,
        369,
        627,
        628,
        629,
        630,
    }
)
"""Standard header tags of FIX 4.2 and 4.4 (4.4's hop group 627-630 included)."""

TRAILER_TAGS: frozenset[int] = frozenset({93, 89, 10})
"""Standard trailer tags."""
