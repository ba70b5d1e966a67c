"""FIX 4.2 in our dictionary notation (see ``dictionary``): the messages we speak."""

from __future__ import annotations

from directbroker.protocols.fix.dictionary import (
    ADMIN_MSG_TYPES,
    Dictionary,
    FieldType,
    MessageDef,
    build_fields,
    parse_layout,
)

_T = FieldType

_TYPES: dict[FieldType, str] = {
    _T.AMT: "12 119 381",
    _T.BOOLEAN: "43 97 113 114 121 123 141 377",
    _T.CHAR: "13 20 21 29 39 40 47 54 59 63 77 81 150 156 206 317 385 388 434 442",
    _T.CURRENCY: "15 120 318",
    _T.DATA: "89 91 96 213 349 351 355 363 365",
    _T.DAYOFMONTH: "205 314",
    _T.EXCHANGE: "30 100 207 308",
    _T.FLOAT: "155 223 231 435 436",
    _T.INT: "98 102 103 108 201 203 204 315 323 371 373 378 380 383 393 427",
    _T.SEQNUM: "7 16 34 36 45 369",
    _T.NUMINGROUP: "78 146 382 384 386",
    _T.LENGTH: "9 90 93 95 212 348 350 354 362 364",
    _T.LOCALMKTDATE: "64 75 193 432",
    _T.MONTHYEAR: "200 313",
    _T.MULTIPLEVALUESTRING: "18",
    _T.PRICE: "6 31 44 99 140 194 202 316 426",
    _T.PRICEOFFSET: "195 211 389",
    _T.QTY: "14 32 38 80 110 111 151 152 192 210 319 424 425 437",
    _T.STRING: (
        "1 8 10 11 17 19 22 23 35 37 41 48 49 50 55 56 57 58 65 66 76 79 106 107 109 112 115"
        " 116 117 128 129 142 143 144 145 167 198 305 306 307 309 310 311 312 320 322 336 337"
        " 347 372 375 376 379 439 440"
    ),
    _T.UTCTIMESTAMP: "52 60 122 126 168 370 438",
}

_MSG_TYPE_VALUES = (
    "0 1 2 3 4 5 6 7 8 9 A B C D E F G H J K L M N P Q R S T V W X Y Z a b c d e f g h i j k l m"
)
MSG_TYPES = frozenset(_MSG_TYPE_VALUES.split())

_ENUMS: dict[int, str] = {
    13: "1 2 3",
    20: "0 1 2 3",
    21: "1 2 3",
    29: "1 2 3 4",
    35: " ".join(sorted(MSG_TYPES)),
    39: "0 1 2 3 4 5 6 7 8 9 A B C D E",
    40: "1 2 3 4 5 6 7 8 9 A B C D E F G H I P",
    47: "A B C D E F H I J K L M N O P R S T U W X Y Z",
    54: "1 2 3 4 5 6 7 8 9",
    59: "0 1 2 3 4 5 6",
    63: "0 1 2 3 4 5 6 7 8 9",
    77: "C O",
    81: "0 1 2 3 4 5 6",
    98: "0 1 2 3 4 5 6",
    102: "0 1 2 3",
    103: "0 1 2 3 4 5 6 7 8",
    150: "0 1 2 3 4 5 6 7 8 9 A B C D E",
    167: (
        "? BA CB CD CMO CORP CP CPP CS FHA FHL FN FOR FUT GN GOVT IET MF MIO MPO MPP MPT"
        " MUNI NONE OPT PS RP RVRP SL TD USTB WAR ZOO"
    ),
    203: "0 1",
    204: "0 1",
    373: "0 1 2 3 4 5 6 7 8 9 10 11",
    380: "0 1 2 3 4 5",
    385: "R S",
    388: "0 1 2 3 4 5",
    434: "1 2",
    442: "1 2 3",
}

_INSTRUMENT = "55! 65 48 22 167 200 205 201 202 206 231 223 207 106 348 349 107 350 351"
_INSTRUMENT_OPTIONAL = _INSTRUMENT.replace("55!", "55")

_HEADER = (
    "8! 9! 35! 49! 56! 115 128 90 91 34! 50 142 57 143 116 144 129 145 43 97 52! 122"
    " 212 213 347 369 370"
)

_MESSAGES: dict[str, tuple[str, str]] = {
    "0": ("Heartbeat", "112"),
    "1": ("TestRequest", "112!"),
    "2": ("ResendRequest", "7! 16!"),
    "3": ("Reject", "45! 371 372 373 58 354 355"),
    "4": ("SequenceReset", "123 36!"),
    "5": ("Logout", "58 354 355"),
    "A": ("Logon", "98! 108! 95 96 141 383 384[372 385]"),
    "j": ("BusinessMessageReject", "45 372! 379 380! 58 354 355"),
    "D": (
        "NewOrderSingle",
        "11! 109 76 1 78[79 80] 63 64 21! 18 110 111 100 386[336] 81 "
        + _INSTRUMENT
        + " 140 54! 114 60! 38 152 40! 44 99 15 376 377 23 117 59 168 432 126 427 12 13 47"
        " 121 120 58 354 355 193 192 77 203 204 210 211 388 389 439 440",
    ),
    "F": (
        "OrderCancelRequest",
        "41! 37 11! 66 1 109 76 " + _INSTRUMENT + " 54! 60! 38 152 376 377 58 354 355",
    ),
    "G": (
        "OrderCancelReplaceRequest",
        "37 109 76 41! 11! 66 1 78[79 80] 63 64 21! 18 110 111 100 386[336] "
        + _INSTRUMENT
        + " 54! 60! 38 152 40! 44 99 211 388 389 376 377 15 59 168 432 126 427 12 13 47 121"
        " 120 58 354 355 193 192 77 203 204 210 114 439 440",
    ),
    "H": ("OrderStatusRequest", "37 11! 109 1 76 " + _INSTRUMENT + " 54!"),
    "8": (
        "ExecutionReport",
        "37! 198 11 41 109 76 382[375 337 437 438] 66 17! 20! 19 150! 39! 103 378 1 63 64 "
        + _INSTRUMENT
        + " 54! 38 152 40 44 99 211 388 389 15 376 377 59 168 432 126 18 47 32 31 194 195 30"
        " 336 29 151! 14! 6! 424 425 426 427 75 60 113 12 13 381 119 120 155 156 21 110 111"
        " 77 210 58 354 355 193 192 439 440 442",
    ),
    "9": ("OrderCancelReject", "37! 198 11! 41! 39! 109 76 66 1 60 434! 102 58 354 355"),
    "d": (
        "SecurityDefinition",
        "320! 322! 323 393! "
        + _INSTRUMENT_OPTIONAL
        + " 15 336 58 354 355 146[311 312 309 305 310 313 314 315 316 317 436 435 308 306"
        " 362 363 307 364 365 319 54 318]",
    ),
}

_KNOWN = (
    frozenset(range(1, 447))
    - frozenset({101, *range(220, 223), *range(224, 231)})
    - (frozenset(range(232, 262)))
)

FIX42 = Dictionary(
    begin_string="FIX.4.2",
    fields=build_fields(_TYPES, _ENUMS),
    header=parse_layout(_HEADER),
    trailer=parse_layout("93 89 10!"),
    messages={
        msg_type: MessageDef(msg_type, name, parse_layout(spec), msg_type in ADMIN_MSG_TYPES)
        for msg_type, (name, spec) in _MESSAGES.items()
    },
    msg_types=MSG_TYPES,
    session_reject_reasons=frozenset(range(12)),
    known_tags=_KNOWN,
)
"""The FIX 4.2 dictionary."""
