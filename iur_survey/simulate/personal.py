"""Fake personal data for simulated exports: ids, IPs, names, e-mails, phones, locations, comments.

Everything is drawn from a :class:`numpy.random.Generator` and vectorised, so a
seed fixes every value.  The values look real (Liaoning respondents, Chinese
names with pinyin e-mail addresses, mobile numbers, coordinates of Liaoning
cities) but are fake: e-mail domains are reserved ``example`` names
(RFC 2606), and the whole point is that the cleaning step proves none of it
reaches clean data.

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> ids = response_ids(rng, 3)
>>> [len(i) for i in ids], all(i.startswith("R_") for i in ids)
([17, 17, 17], True)
"""

from __future__ import annotations

import numpy as np

_ALPHANUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), dtype="<U1")

# common surnames and given-name characters, with pinyin
_SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
             ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
             ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"),
             ("马", "ma"), ("罗", "luo"), ("于", "yu"), ("董", "dong"), ("韩", "han"), ("曹", "cao")]
_GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
          ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
          ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"),
          ("平", "ping"), ("刚", "gang"), ("华", "hua"), ("宇", "yu"), ("鑫", "xin"), ("博", "bo"),
          ("佳", "jia"), ("晨", "chen"), ("雪", "xue"), ("慧", "hui"), ("建", "jian"), ("国", "guo")]
_DOMAINS = np.array(["example.com", "example.net", "example.org", "mail.example", "dlut.example",
                     "neu.example", "lnu.example", "corp.example", "gov.example"])
_MOBILE_PREFIX = np.array(["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                           "158", "159", "176", "177", "180", "181", "186", "187", "188", "189"])
# Liaoning cities: (lat, lon), weight
_CITIES = np.array([(41.8057, 123.4315), (38.9140, 121.6147), (41.1087, 122.9946), (41.8808, 123.9572),
                    (41.0951, 121.1270), (40.6674, 122.2350), (41.2687, 123.2372), (40.1290, 124.3947)])
_CITY_WEIGHTS = np.array([0.34, 0.30, 0.08, 0.06, 0.07, 0.06, 0.05, 0.04])
# first octets of address blocks allocated to Chinese networks (CNNIC)
_CN_OCTETS = np.array([27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116,
                       117, 118, 119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 210, 211,
                       218, 219, 220, 221, 222, 223])
_FOREIGN_OCTETS = np.array([5, 31, 37, 45, 62, 77, 89, 91, 103, 141, 176, 185, 193, 194, 195, 212])

COMMENTS_EN = [
    "Government funding procedures are too slow for joint projects.",
    "Our cooperation with the university works well, but results are rarely commercialised.",
    "Intellectual property rules should be clearer before a project starts.",
    "More long-term platforms are needed instead of one-off projects.",
    "Teachers should spend more time in enterprises.",
    "The survey is useful; please share the results with us.",
    "Benefit sharing is the main obstacle in our experience.",
    "Students on placement need better supervision from both sides.",
    "Regional policy support has improved in the last two years.",
    "Please contact me if you need more details: {email}",
    "I can be reached at {phone} for a follow-up interview.",
]
COMMENTS_ZH = [
    "政府资助审批流程太慢，影响联合项目进度。",
    "与高校的合作总体顺利，但成果转化较少。",
    "建议在项目开始前明确知识产权归属。",
    "希望建立长期稳定的合作平台，而不是一次性项目。",
    "高校教师应更多地到企业挂职锻炼。",
    "利益分配是我们合作中最大的障碍。",
    "近两年地方政策支持明显加强。",
    "如需访谈请联系我：{phone}",
    "欢迎发邮件交流：{email}",
]
SPAM_COMMENTS = [
    "Best prices!!! visit http://cheap-deals.example/offer now",
    "Earn money from home, click http://fast-cash.example",
    "加微信领取优惠 http://promo.example",
    "asdfghjkl",
]


def response_ids(rng: np.random.Generator, m: int) -> np.ndarray:
    """``m`` Qualtrics-like response ids ``R_`` + 15 alphanumerics (unique within the call).

    >>> import re
    >>> a = response_ids(np.random.default_rng(0), 2)
    >>> all(re.fullmatch(r"R_[0-9A-Za-z]{15}", x) for x in a), bool((a == response_ids(np.random.default_rng(0), 2)).all())
    (True, True)
    """
    if m == 0:
        return np.array([], dtype=object)
    idx = rng.integers(0, len(_ALPHANUM), size=(m, 15))
    ids = np.char.add("R_", _ALPHANUM[idx].view("<U15").ravel())
    ids = ids.astype(object)
    while len(set(ids.tolist())) < m:  # astronomically rare; redraw the later duplicates deterministically
        seen: set[str] = set()
        dup = [i for i, x in enumerate(ids) if x in seen or seen.add(x)]
        ids[dup] = np.char.add("R_", _ALPHANUM[rng.integers(0, len(_ALPHANUM), size=(len(dup), 15))]
                               .view("<U15").ravel()).astype(object)
    return ids


_NUM = np.array([str(i) for i in range(10000)], dtype=object)
_NUM4 = np.array([f"{i:04d}" for i in range(10000)], dtype=object)


def _obj(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def ipv4(rng: np.random.Generator, m: int, foreign: bool = False) -> np.ndarray:
    """``m`` public-looking IPv4 addresses (Chinese blocks, or foreign ones for spam).

    >>> ip = ipv4(np.random.default_rng(0), 1)[0]
    >>> parts = [int(p) for p in ip.split(".")]
    >>> len(parts) == 4 and all(0 <= p <= 255 for p in parts) and int(parts[0]) in _CN_OCTETS
    True
    """
    first = rng.choice(_FOREIGN_OCTETS if foreign else _CN_OCTETS, size=m)
    rest = rng.integers(0, 256, size=(m, 2))
    last = rng.integers(1, 255, size=m)
    return _NUM[first] + "." + _NUM[rest[:, 0]] + "." + _NUM[rest[:, 1]] + "." + _NUM[last]


_SUR_HANZI = _obj([h for h, _ in _SURNAMES])
_SUR_PINYIN = _obj([p for _, p in _SURNAMES])
_GIVEN_HANZI = _obj([h for h, _ in _GIVEN])
_GIVEN_PINYIN = _obj([p for _, p in _GIVEN])


def names(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(name, surname_pinyin, given_pinyin)``: Chinese names (2-3 characters) and their pinyin.

    >>> n, sur, given = names(np.random.default_rng(3), 2)
    >>> [len(x) in (2, 3) for x in n], [x.isascii() for x in sur]
    ([True, True], [True, True])
    """
    s = rng.integers(0, len(_SURNAMES), size=m)
    g1 = rng.integers(0, len(_GIVEN), size=m)
    g2 = rng.integers(0, len(_GIVEN), size=m)
    two = rng.random(m) < 0.6
    empty = _obj([""])
    name = _SUR_HANZI[s] + _GIVEN_HANZI[g1] + np.where(two, _GIVEN_HANZI[g2], empty)
    given = _GIVEN_PINYIN[g1] + np.where(two, _GIVEN_PINYIN[g2], empty)
    return name, _SUR_PINYIN[s], given


def emails(rng: np.random.Generator, surname: np.ndarray, given: np.ndarray) -> np.ndarray:
    """E-mail addresses built from pinyin names at reserved ``example`` domains.

    >>> e = emails(np.random.default_rng(0), np.array(["wang"], dtype=object), np.array(["fang"], dtype=object))[0]
    >>> "wang" in e and e.split("@")[1] in _DOMAINS
    True
    """
    m = len(surname)
    style = rng.integers(0, 3, size=m)
    num = _NUM[rng.integers(1, 2000, size=m)]
    dom = _obj(_DOMAINS)[rng.integers(0, len(_DOMAINS), size=m)]
    initial = _obj([g[:1] for g in given])
    local = np.where(style == 0, given + "." + surname,
                     np.where(style == 1, surname + given + num, surname + "_" + initial + num))
    return local + "@" + dom


def phones(rng: np.random.Generator, m: int) -> np.ndarray:
    """Chinese mobile numbers in the mixed formats people type (``13812345678``, ``138-1234-5678``, ``+86 ...``).

    >>> p = phones(np.random.default_rng(0), 50)
    >>> all(sum(ch.isdigit() for ch in x) in (11, 13) for x in p)
    True
    """
    pre = _obj(_MOBILE_PREFIX)[rng.integers(0, len(_MOBILE_PREFIX), size=m)]
    mid = _NUM4[rng.integers(0, 10000, size=m)]
    end = _NUM4[rng.integers(0, 10000, size=m)]
    style = rng.choice(3, size=m, p=[0.6, 0.25, 0.15])
    return np.where(style == 0, pre + mid + end,
                    np.where(style == 1, pre + "-" + mid + "-" + end, "+86 " + pre + " " + mid + " " + end))


def _fixed4(x: np.ndarray) -> np.ndarray:
    """Positive floats as strings with 4 decimals (table-based, no per-value formatting)."""
    units = np.round(np.asarray(x) * 10000).astype(np.int64)
    whole, frac = np.divmod(units, 10000)
    return _NUM[whole] + "." + _NUM4[frac]


def locations(rng: np.random.Generator, m: int) -> np.ndarray:
    """``"lat,lon"`` strings (4 decimals, like Qualtrics' LocationLatitude/Longitude) near Liaoning cities.

    >>> lat, lon = map(float, locations(np.random.default_rng(0), 1)[0].split(","))
    >>> 38 < lat < 43 and 120 < lon < 125
    True
    """
    city = rng.choice(len(_CITIES), size=m, p=_CITY_WEIGHTS)
    xy = _CITIES[city] + rng.normal(0, 0.04, size=(m, 2))
    return _fixed4(xy[:, 0]) + "," + _fixed4(xy[:, 1])


def comments(rng: np.random.Generator, m: int, email: np.ndarray, phone: np.ndarray,
             rate: float = 0.15) -> np.ndarray:
    """Optional free-text comments (``None`` where left blank); a few contain the respondent's contact.

    >>> c = comments(np.random.default_rng(0), 200, np.array(["a@example.com"] * 200, dtype=object),
    ...              np.array(["13800000000"] * 200, dtype=object))
    >>> bool(0.05 < np.mean([x is not None for x in c]) < 0.3)
    True
    """
    out = np.full(m, None, dtype=object)
    has = np.flatnonzero(rng.random(m) < rate)
    zh = rng.random(len(has)) < 0.6
    pick_zh = rng.integers(0, len(COMMENTS_ZH), size=len(has))
    pick_en = rng.integers(0, len(COMMENTS_EN), size=len(has))
    for i, z, a, b in zip(has, zh, pick_zh, pick_en):
        text = COMMENTS_ZH[a] if z else COMMENTS_EN[b]
        e = email[i] if email[i] is not None else "me@example.com"
        p = phone[i] if phone[i] is not None else "13800000000"
        out[i] = text.format(email=e, phone=p)
    return out


def contact_details(rng: np.random.Generator, m: int, email_rate: float = 0.55
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(email, name, phone)`` of respondents who chose to leave contact details (``None`` otherwise).

    About ``email_rate`` leave an e-mail; 90 % of those also a name and 60 % a phone number.

    >>> e, n, p = contact_details(np.random.default_rng(0), 1000)
    >>> bool(0.5 < np.mean([x is not None for x in e]) < 0.6)
    True
    """
    gives = rng.random(m) < email_rate
    gives_name = gives & (rng.random(m) < 0.9)
    gives_phone = gives & (rng.random(m) < 0.6)
    email, name, phone = (np.full(m, None, dtype=object) for _ in range(3))
    k = int(gives.sum())
    hanzi, surname, given = names(rng, k)
    email[gives] = emails(rng, surname, given)
    name[gives_name] = hanzi[gives_name[gives]]
    phone[gives_phone] = phones(rng, int(gives_phone.sum()))
    return email, name, phone
