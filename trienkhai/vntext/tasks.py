"""Tasks: who must do what, by when, read from the assigning parts of a text.

Not tasks: prohibitions, liability clauses, quota rules, requests upward in reports,
completed work, the "Mục đích, yêu cầu" part, tentative plans (``dự kiến``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .deadlines import Deadline
from .text import fold
from .units import _HEAD_RX, _PERSON_RX, read_unit_phrase

VERBS = (
    "tổ chức",
    "xây dựng",
    "chủ trì",
    "phối hợp",
    "lãnh đạo",
    "chỉ đạo",
    "báo cáo",
    "gửi",
    "rà soát",
    "hướng dẫn",
    "theo dõi",
    "đôn đốc",
    "tham mưu",
    "triển khai",
    "thực hiện",
    "đưa",
    "tuyên truyền",
    "biên soạn",
    "kiểm tra",
    "giám sát",
    "tăng cường",
    "bố trí",
    "tổng hợp",
    "hoàn thành",
    "kiện toàn",
    "định hướng",
    "tập trung",
    "duy trì",
    "chủ động",
    "nâng cấp",
    "ban hành",
    "trình",
    "đề xuất",
    "nghiên cứu",
    "vận động",
    "phát huy",
    "gương mẫu",
    "phải",
    "cần",
    "thường xuyên",
    "kịp thời",
    "khẩn trương",
    "nghiêm túc",
    "quán triệt",
    "chọn",
    "lựa chọn",
    "mở",
    "phản ánh",
    "nắm",
    "cập nhật",
    "công bố",
    "xử lý",
    "bảo đảm",
    "đảm bảo",
    "làm sạch",
    "số hóa",
    "hỗ trợ",
    "trực tiếp",
    "chịu trách nhiệm",
    "sơ kết",
    "tổng kết",
    "đánh giá",
    "xác định",
    "đẩy mạnh",
    "nâng cao",
    "củng cố",
    "giải quyết",
    "tiếp tục",
    "quan tâm",
    "chăm lo",
    "ứng dụng",
    "phát động",
    "thẩm định",
    "tiếp nhận",
    "cung cấp",
    "giữ vững",
    "khắc phục",
    "chuẩn bị",
    "cử",
    "phân công",
    "lập",
    "thành lập",
    "sửa đổi",
    "hoàn thiện",
    "điều chỉnh",
    "phê duyệt",
    "thông báo",
    "công khai",
    "phổ biến",
    "học tập",
    "đăng ký",
    "phát hiện",
    "đấu tranh",
    "ngăn chặn",
    "phòng ngừa",
    "chấn chỉnh",
    "thống kê",
    "khảo sát",
    "tập huấn",
    "bồi dưỡng",
    "cải thiện",
    "đổi mới",
    "vận hành",
    "trang bị",
    "bảo vệ",
    "tạo điều kiện",
    "sắp xếp",
    "giao",
    "yêu cầu",
    "đề nghị",
    "sẽ",
    "thúc đẩy",
    "thực hành",
    "tiếp xúc",
    "tăng",
    "giảm",
    "rà",
    "ưu tiên",
    "huy động",
    "cụ thể hóa",
    "quản lý",
    "thanh tra",
    "tuyển chọn",
    "đầu tư",
    "tham gia",
    "gắn",
    "xem xét",
    "kết nối",
    "tích hợp",
    "hướng tới",
    "chăm sóc",
    "nêu gương",
    "tiến hành",
    "hoàn tất",
    "phát triển",
    "tổ chức thực hiện",
    "chuyển",
    "cắt giảm",
    "đơn giản hóa",
    "xin lỗi",
    "mua sắm",
    "rút ngắn",
    "phát hành",
    "nộp",
    "bổ sung",
    "xác minh",
    "làm rõ",
    "kiểm điểm",
    "xếp loại",
    "nhập liệu",
    "khai thác",
    "soạn thảo",
    "dự thảo",
    "hoàn chỉnh",
    "phân bổ",
    "giải ngân",
    "thu hồi",
    "sửa chữa",
    "thăm hỏi",
    "tích cực",
    "chuẩn hóa",
    "đối thoại",
    "giải thể",
    "sáp nhập",
    "nghiệm thu",
    "bàn giao",
    "tiếp công dân",
    "tuyên dương",
    "khen thưởng",
    "phân tích",
    "góp ý",
    "lấy ý kiến",
    "tập hợp",
)
_VERB_ALT = "|".join(re.escape(v) for v in sorted(VERBS, key=len, reverse=True))
# "tổ chức" is a noun in "các tổ chức cơ sở đảng"; "trình" hides in "chương trình".
VERBS_RX = re.compile(
    rf"(?<![\wÀ-ỹ])(?<!chương )(?<!Chương )(?:{_VERB_ALT})(?![\wÀ-ỹ])"
    r"(?<!tổ chức(?= cơ sở| đảng| Đảng| chính trị| xã hội| thành viên| công đoàn| Đoàn"
    r"| quần chúng))"
)
_VERB_START = re.compile(rf"(?:{_VERB_ALT})(?![\wÀ-ỹ])", re.IGNORECASE)

_NOT_TASK_START = re.compile(
    r"(?:được|bị|đã|đang|vừa|không|chưa|tuyệt đối không|nghiêm cấm|cấm|có|là|gồm|đạt|chiếm"
    r"|dự kiến|chịu trách nhiệm (?:trước|về)|cho biết|nhấn mạnh|xác định|đặt mục tiêu"
    r"|trình bày|phát biểu)(?![\wÀ-ỹ])",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:nghiêm túc|quan tâm|khẩn trương)?\s*(?:triển khai\s+)?(?:chỉ đạo,\s*)?"
    r"(?:thực hiện|triển khai)(?:\s+(?:tốt|nghiêm|bảo đảm|Chỉ thị này|Kế hoạch này|Công văn này"
    r"|các nội dung trên)[^.;]*)?$",
    re.IGNORECASE,
)
_LEAD_ADVERBIAL = re.compile(
    r"^(?:\(.{2,40}?\)\s*[-–]\s*)?"
    r"(?:Theo (?:đó|Kế hoạch|kế hoạch|Chỉ thị|chỉ thị|Công văn|công văn)"
    r"|Để [^,]{3,120}|Trên cơ sở [^,]{3,120}|Trong (?:thời gian|quá trình|đó)[^,]{0,120}"
    r"|Đồng thời|Ngoài ra|Bên cạnh đó|Cạnh đó|Căn cứ [^,]{3,160}|Thực hiện [^,]{3,160}"
    r"|Riêng [^,]{3,80}"
    r"|Sau khi [^,]{3,80}|Cùng với đó|Mặt khác|Tiếp đó|Cụ thể)\s*,\s*"
)
_LEAD_TOPIC = re.compile(r"^(?:Về [^:]{1,80}|Đối với [^:]{1,120}|Riêng [^:]{1,80}):\s*")
_NEWS_EVENT = re.compile(
    r"^(?:\(.{2,40}?\)\s*[-–]\s*)?(?:Ngày|Sáng|Chiều|Tối|Trưa|Hôm nay|Hôm qua|Vừa qua|Tại)\b"
)
_DOC_SUBJECT = re.compile(
    r"^(?:Kế hoạch|Chỉ thị|Công văn|Nghị quyết|Quyết định|Văn bản|Chương trình)(?: này)?"
    r"(?: cũng)?\s+(?=yêu cầu|giao|đề nghị)"
)
_ITEM = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|[a-zđ]\)|[-–•+*])\s*")
_ROMAN = re.compile(r"^\s*[IVX]{1,5}\.\s+(?P<h>.+)$")
_SKIP_SECTION = re.compile(
    r"MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|CHỈ TIÊU|QUAN ĐIỂM|KẾT QUẢ|HẠN CHẾ|NGUYÊN NHÂN|ĐÁNH GIÁ|TÌNH HÌNH"
    r"|BÀI HỌC|NHẬN XÉT|KIẾN NGHỊ|ĐỀ XUẤT|CÔNG TÁC LÃNH ĐẠO|BỐI CẢNH|THỰC TRẠNG"
)
_TASK_SECTION = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|TỔ CHỨC THỰC HIỆN|PHÂN CÔNG|TIẾN ĐỘ|PHƯƠNG HƯỚNG")
_NEWS_TRIGGER = re.compile(
    r"ban hành\s+(?:Kế hoạch|Chỉ thị|Công văn|Nghị quyết|Quyết định|Chương trình|Hướng dẫn"
    r"|Kết luận|Thông báo|Quy định)|Theo (?:Kế hoạch|kế hoạch|Chỉ thị|chỉ thị)"
)
_ISSUER_SELF = re.compile(r"^(?:Ban Thường vụ|BTV)\s")
_SENT_SPLIT = re.compile(r"(?<![A-ZĐ][A-Za-z])(?<!\bTP)\.\s+(?=[^\W\d_]|[\"“(])")


@dataclass
class Task:
    """One assignment: ``who`` must do ``what`` (verbatim spans) by ``due_text``."""

    who: str
    what: str
    start: int
    end: int
    who_start: int | None = None
    who_end: int | None = None
    due_text: str | None = None
    due: dt.date | None = None
    recurring: str | None = None
    role: str | None = None
    extra_spans: list | None = None
    clause_end: int | None = None

    def to_dict(self) -> dict:
        """Label-style dict."""
        out: dict = {"who": self.who, "what": self.what}
        if self.due_text:
            out["due_text"] = self.due_text
            out["due"] = self.due.isoformat() if self.due else None
        if self.recurring:
            out["recurring"] = self.recurring
        if self.role:
            out["role"] = self.role
        out["start"], out["end"] = self.start, self.end
        if self.who_start is not None:
            out["who_start"], out["who_end"] = self.who_start, self.who_end
        return out


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _subject(text: str, pos: int, end: int) -> tuple[int, int, int] | None:
    """(who_start, who_end, verb_start) when a body or person opens the clause at ``pos``."""
    if not (_HEAD_RX.match(text, pos) or _PERSON_RX.match(text, pos)):
        return None
    sp = _read_subject(text, pos, end)
    if not sp:
        return None
    v = _skip_spaces(text, sp[1])
    if v >= end:
        return None
    if VERBS_RX.match(text, v) or _NOT_TASK_START.match(text, v):
        return sp[0], sp[1], v
    # "Các chi bộ căn cứ Kế hoạch này xây dựng …": an inserted basis before the verb.
    m = _BASIS.match(text, v, end)
    if m:
        for w in re.finditer(r"\s+(?=[a-zđ])", text[m.end() : min(end, m.end() + 80)]):
            q = m.end() + w.end()
            if re.search(r"[,;.:]", text[m.end() : q]):
                break
            if VERBS_RX.match(text, q):
                return sp[0], sp[1], q
    return None


_BASIS = re.compile(r"(?:căn cứ|dựa trên|dựa vào|trên cơ sở)\s+\S+")


def _read_subject(text: str, pos: int, end: int) -> tuple[int, int] | None:
    # A person head ("Thủ trưởng", "Cán bộ") may open a list that goes on with bodies.
    m = _PERSON_RX.match(text, pos)
    if m and not _HEAD_RX.match(text, pos):
        i = m.end()
        i2 = _skip_spaces(text, i)
        if _HEAD_RX.match(text, i2):
            sp = read_unit_phrase(text, i2, VERBS_RX, people=True)
            return (pos, sp[1]) if sp else (pos, i)
        sp = read_unit_phrase(text, pos, VERBS_RX, people=True)
        return sp
    sp = read_unit_phrase(text, pos, VERBS_RX, people=True)
    if sp and sp[1] <= end:
        return sp
    return None


def _trim_what(text: str, a: int, b: int) -> tuple[int, int]:
    s = text[a:b]
    # Connectors that belong to the deadline, not to the action.
    pat = re.compile(
        r"(?:[,;]?\s*(?:bảo đảm\s+)?(?:chuẩn bị\s+)?(?:hoàn thành|xong|vào|trong|chậm nhất|định kỳ"
        r"|và|để|kể từ|ngay)|[\s,;.:/]+)$",
        re.IGNORECASE,
    )
    while True:
        m = pat.search(s)
        if not m or m.start() == len(s) or m.start() == 0:
            break
        s = s[: m.start()]
    s2 = s.lstrip(" ,;:")
    a += len(s) - len(s2)
    return a, a + len(s2)


def _clauses(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    start = a
    depth = 0
    for i in range(a, b):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            out.append((start, i))
            start = i + 1
    out.append((start, b))
    out = [(x, y) for x, y in out if text[x:y].strip()]
    # "…; trình UBND Thành phố trong tháng 12" submits the result of the clause before it.
    merged: list[tuple[int, int]] = []
    for x, y in out:
        if merged and re.match(r"\s*trình\s", text[x:y]) and y - x < 80:
            merged[-1] = (merged[-1][0], y)
        else:
            merged.append((x, y))
    # "… gửi báo cáo UBND TP để Ban cán sự đảng UBND TP tham mưu …": a purpose clause with
    # its own actor assigns that actor too.
    split: list[tuple[int, int]] = []
    for x, y in merged:
        cut = x
        for m in re.finditer(r"[\s,]+để\s+", text[x:y]):
            p = x + m.end()
            if _HEAD_RX.match(text, p) and _subject(text, p, y):
                split.append((cut, x + m.start()))
                cut = p
        split.append((cut, y))
    return split


def _sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    start = a
    for m in _SENT_SPLIT.finditer(text, a, b):
        if not text[m.end()].isupper() and text[m.end()] not in '"“(':
            continue
        out.append((start, m.start() + 1))
        start = m.end()
    out.append((start, b))
    return out


class _Ctx:
    def __init__(self) -> None:
        self.leadin: tuple[int, int] | None = None
        self.item_leadin: tuple[int, int] | None = None
        self.item_extra: list[tuple[int, int]] = []


def find_tasks(
    text: str, deadlines: list[Deadline], kind: str | None, ref: dt.date | None = None
) -> list[Task]:
    """Tasks of ``text``; ``deadlines`` are the ones found by ``deadlines.scan``."""
    tasks: list[Task] = []
    ctx = _Ctx()
    in_zone = False
    section_ok = kind != "report"
    news = kind == "news"
    news_on = False
    last: list[Task] = []
    line_no = 0
    leadin_line = -1
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        rm = _ROMAN.match(line)
        if rm and rm["h"].upper() == rm["h"]:
            h = rm["h"]
            if kind == "report":
                section_ok = bool(_TASK_SECTION.search(h)) and not _SKIP_SECTION.search(
                    h.replace("NHIỆM VỤ", "")
                )
            else:
                section_ok = bool(_TASK_SECTION.search(h)) or not _SKIP_SECTION.search(h)
            in_zone = True
            ctx.leadin = None
            ctx.item_leadin = None
            continue
        if s.upper() == s:
            continue
        item = _ITEM.match(line)
        is_num = bool(re.match(r"^\s*\d+\.\s", line))
        is_sub = bool(re.match(r"^\s*[a-zđ]\)\s", line))
        if is_num:
            ctx.item_leadin = None
        if not news and not in_zone:
            if is_num or is_sub:
                in_zone = True
            elif len(s) > 60 and _ASSIGNING.search(s) and not s.startswith("Kính gửi"):
                # a letter without numbered items: its body opens with who is asked to act
                in_zone = True
            else:
                if s.endswith(":") and not s.startswith("Kính gửi"):
                    in_zone = True
                    ctx.leadin = _leadin_who(text, a, b)
                continue
        if not section_ok:
            continue
        body_a = a + (item.end() if item else 0)
        if s.endswith(":") and not s.startswith("Kính gửi"):
            # "1. Thủ trưởng các sở, ban, ngành, Chủ tịch UBND …:" names who does a), b), c);
            # so do "2. Đảng ủy phường giao Đảng ủy UBND phường lãnh đạo UBND phường:".
            body = text[body_a:b].rstrip().rstrip(":")
            li = _item_leadin(text, body_a, body_a + len(body.rstrip()))
            if li:
                ctx.item_leadin, ctx.item_extra = li
                continue
            lw = _leadin_who(text, a, b)
            if lw:
                ctx.leadin = lw
            continue
        line_no += 1
        for sa, sb in _sentences(text, body_a, b):
            sent = text[sa:sb]
            umb = _umbrella(text, sa, sb)
            if umb:
                # "… yêu cầu các cấp ủy, … thực hiện một số nội dung …": the actors of what follows.
                ctx.leadin, leadin_line, news_on = umb, line_no, True
                continue
            if news and not news_on:
                if _NEWS_TRIGGER.search(sent):
                    news_on = True
                    continue
                if not _ASSIGNING.search(sent):
                    continue
                news_on = True
            if news and _NEWS_EVENT.match(sent):
                continue
            if kind == "report" and re.match(r"\s*(?:Đề nghị|Kiến nghị)", sent):
                continue
            implicit = ctx.item_leadin if is_sub or not is_num else None
            leadin = ctx.leadin
            if news and leadin_line != line_no and not _CONNECTIVE.match(sent):
                # In running prose a subjectless sentence continues a lead-in only in its own
                # paragraph or when a connective ("Cụ thể, …", "Cạnh đó, …") links it.
                leadin = None
            implicit = implicit or leadin
            extra = ctx.item_extra if implicit and implicit == ctx.item_leadin else None
            if _TIME_SENTENCE.match(sent) and last and any(t.due_text is None for t in last):
                # "Thời gian trình Ban Thường vụ trong quý II năm 2020." dates the tasks before.
                dls = [d for d in deadlines if sa <= d.start < sb and not d.tentative]
                if len(dls) == 1:
                    for t in last:
                        if t.due_text is None:
                            t.due_text, t.due = dls[0].text, dls[0].due
                            t.recurring = dls[0].recurring
                    continue
            found = _read_sentence(text, sa, sb, deadlines, implicit)
            if extra:
                for t in found:
                    if (t.who_start, t.who_end) == implicit:
                        t.extra_spans = list(extra)
            tasks.extend(found)
            last = found
    return tasks


_CONNECTIVE = re.compile(
    r"\s*(?:\(.{2,40}?\)\s*[-–]\s*)?(?:Cụ thể|Cạnh đó|Bên cạnh đó|Ngoài ra|Đồng thời|Theo đó"
    r"|Mặt khác|Tiếp đó|Cùng với đó)\s*,"
)
_ASSIGNING = re.compile(
    r"(?:yêu cầu|đề nghị|giao|chỉ đạo)\s+(?=(?:các|những)?\s*[A-ZĐÂƯÔƠÊĂỦ]|(?:các|những)\s)"
)
_UMBRELLA_REST = re.compile(
    r"\s*(?:\([^)]*\)\s*)?(?:tập trung\s+|nghiêm túc\s+)?(?:thực hiện|triển khai)(?:\s+tốt)?\s+"
    r"(?:một số|các|những)\s+(?:nội dung|nhiệm vụ|công việc|giải pháp|việc)"
)
_DIRECTS = re.compile(r"\s*(?:lãnh đạo|chỉ đạo)(?:\s*,\s*chỉ đạo)?\s+")


def _umbrella(text: str, a: int, b: int) -> tuple[int, int] | None:
    """Actors of a sentence that announces the contents that follow, not a task itself."""
    for m in re.finditer(r"(?:đề nghị|yêu cầu|giao)\s+", text[a:b]):
        sp = read_unit_phrase(text, a + m.end(), VERBS_RX, people=True)
        if sp and _UMBRELLA_REST.match(text, sp[1], b):
            return sp
    return None


def _item_leadin(text: str, a: int, b: int) -> tuple[tuple[int, int], list[tuple[int, int]]] | None:
    """Actor (and bodies it directs) of a lead-in line that ends with a colon."""
    starts = [a]
    m = re.match(r"(?:[^:;]{0,80}?\s)?(?:giao|yêu cầu|đề nghị|Giao|Yêu cầu|Đề nghị)\s+", text[a:b])
    if m:
        starts.insert(0, a + m.end())
    for p in starts:
        sp = _read_subject(text, p, b)
        if not sp:
            continue
        if sp[1] >= b - 1:
            return sp, []
        rest = text[sp[1] : b]
        if _UMBRELLA_REST.match(rest) and len(rest) < 60:
            return sp, []
        dm = _DIRECTS.match(rest)
        if dm:
            z = read_unit_phrase(text, sp[1] + dm.end(), VERBS_RX)
            if z and z[1] >= b - 1:
                return sp, [z]
    return None


def _leadin_who(text: str, a: int, b: int) -> tuple[int, int] | None:
    m = re.search(r"(?:đề nghị|yêu cầu|giao)\s+", text[a:b])
    if not m:
        return None
    p = a + m.end()
    sp = read_unit_phrase(text, p, VERBS_RX, people=True)
    if sp and re.match(r"\s*(?:\([^)]*\)\s*)?(?:thực hiện|triển khai)", text[sp[1] : b]):
        return sp
    return None


def _read_sentence(
    text: str,
    sa: int,
    sb: int,
    deadlines: list[Deadline],
    implicit: tuple[int, int] | None,
) -> list[Task]:
    out: list[Task] = []
    prev_who: tuple[int, int] | None = None
    for ca, cb in _clauses(text, sa, sb):
        ca = _skip_spaces(text, ca)
        while ca < cb and text[ca] in " \n":
            ca += 1
        # "…; hoàn thành trước Đại hội …": a clause that only states when the one before it
        # must be done.
        if out and _attach_bare_deadline(text, ca, cb, deadlines, out):
            continue
        # Leading deadline ("Định kỳ hằng tháng (trước ngày 25), UBND …").
        lead_dl = [d for d in deadlines if d.start == ca]
        clause_dls = [d for d in deadlines if ca <= d.start < cb and not d.tentative]
        if any(d.tentative for d in deadlines if ca <= d.start < cb):
            continue
        p = ca
        for _ in range(4):
            # A leading deadline ("Định kỳ hằng quý, UBND …", "Theo kế hoạch, trong tháng 4, …").
            dl_here = [d for d in deadlines if d.start == p and d.end <= cb]
            if dl_here:
                lead_dl = dl_here
                p = dl_here[0].end
                m = re.match(r"\s*,?\s*", text[p:cb])
                p += m.end() if m else 0
                continue
            m = _LEAD_ADVERBIAL.match(text[p:cb]) or _LEAD_TOPIC.match(text[p:cb])
            # An opener is dropped only when a body, an assignment, a deadline or (with an
            # actor carried from a lead-in) a verb follows it.
            q = p + m.end() if m else p
            if not m or not (
                _subject(text, q, cb)
                or re.match(r"(?:Giao|giao)\s", text[q:cb])
                or _LEAD_TOPIC.match(text[p:cb])
                or any(d.start == q for d in deadlines)
                or (
                    (prev_who or implicit)
                    and _VERB_START.match(text, q)
                    and not _NOT_TASK_START.match(text, q)
                )
            ):
                break
            p = q
        m = _DOC_SUBJECT.match(text[p:cb])
        if m:
            p += m.end()
        who: tuple[int, int] | None = None
        v: int | None = None
        m = re.match(r"(?:Giao|giao|Yêu cầu|yêu cầu|Đề nghị|đề nghị)\s+", text[p:cb])
        if m:
            sub = _subject(text, p + m.end(), cb)
            if sub:
                who, v = (sub[0], sub[1]), sub[2]
        if who is None:
            sub = _subject(text, p, cb)
            if sub:
                who, v = (sub[0], sub[1]), sub[2]
        if who is None:
            if _VERB_START.match(text, p) and not _NOT_TASK_START.match(text, p):
                who = prev_who or implicit
                v = p
            if who is None:
                continue
        assert v is not None
        # "X giao Y …", "X yêu cầu Y …": the assignee is Y.
        for _ in range(2):
            m = re.match(r"(?:sẽ\s+)?(?:giao|yêu cầu|đề nghị)\s+", text[v:cb])
            if not m:
                break
            sub = _subject(text, v + m.end(), cb)
            if not sub:
                break
            who, v = (sub[0], sub[1]), sub[2]
        prev_who = who
        m = re.match(r"(?:sẽ|cũng)\s+", text[v:cb])
        if m:
            v += m.end()
        if _NOT_TASK_START.match(text, v):
            continue
        m = re.match(r"chịu trách nhiệm\s+", text[v:cb])
        if m:
            v += m.end()
        role_pair = None
        m = re.match(r"chủ trì(?:\s*,\s*|\s+và\s+|\s+)?(?:việc\s+)?", text[v:cb], re.I)
        if m:
            after = v + m.end()
            pm = re.match(r"phối hợp (?:chặt chẽ )?(?:với|cùng)\s+", text[after:cb], re.I)
            if pm:
                ysp = read_unit_phrase(text, after + pm.end(), VERBS_RX, people=True)
                if ysp:
                    role_pair = ysp
                    v = _skip_spaces(text, ysp[1])
                else:
                    v = after
            else:
                v = after
            role = "lead"
        else:
            role = None
        dls = [d for d in clause_dls if d.start >= v]
        end = cb
        if dls:
            end = dls[0].start
        wa, wb = _trim_what(text, v, end)
        what = text[wa:wb]
        if len(what) < 4 or (len(what) < 70 and _CLOSING.match(what)):
            continue
        who_text = text[who[0] : who[1]]
        due_list: list[Deadline | None] = [None]
        extra: list[tuple[int, int, Deadline]] = []
        if dls:
            due_list = [dls[0]]
            for d in dls[1:]:
                gap_a = due_list[-1].end if not extra else extra[-1][2].end  # type: ignore[union-attr]
                gap = text[gap_a : d.start]
                if re.fullmatch(r"\s*(?:và|,)\s*", gap) and not extra:
                    due_list.append(d)
                    continue
                gm = re.match(r"\s*(?:,\s*)?(?:và|đồng thời)\s+", gap)
                if gm and _VERB_START.match(text, gap_a + gm.end()):
                    xa, xb = _trim_what(text, gap_a + gm.end(), d.start)
                    extra.append((xa, xb, d))
        elif lead_dl:
            due_list = [lead_dl[0]]
        if _ISSUER_SELF.match(who_text) and due_list == [None]:
            continue
        for xa, xb, d in extra:
            out.append(
                Task(
                    who=who_text,
                    who_start=who[0],
                    who_end=who[1],
                    what=text[xa:xb],
                    start=xa,
                    end=xb,
                    due_text=d.text,
                    due=d.due,
                    recurring=d.recurring,
                    clause_end=cb,
                )
            )
        for d in due_list:
            base = {
                "clause_end": cb,
                "what": what,
                "start": wa,
                "end": wb,
                "due_text": d.text if d else None,
                "due": d.due if d else None,
                "recurring": d.recurring if d else None,
            }
            out.append(Task(who=who_text, who_start=who[0], who_end=who[1], role=role, **base))
            if role_pair:
                out.append(
                    Task(
                        who=text[role_pair[0] : role_pair[1]],
                        who_start=role_pair[0],
                        who_end=role_pair[1],
                        role="support",
                        **base,
                    )
                )
    return out


_BARE_DUE = re.compile(
    r"\s*(?:(?:bảo đảm|phấn đấu)\s+)?(?:(?:hoàn thành|xong|kết thúc)(?:\s+(?:việc\s+)?\w+)?\s*)?$",
    re.I,
)
_TIME_SENTENCE = re.compile(r"\s*(?:Thời gian|Thời hạn|Thời điểm)\b", re.I)


def _attach_bare_deadline(
    text: str, ca: int, cb: int, deadlines: list[Deadline], tasks: list[Task]
) -> bool:
    """Give the deadline of a clause that is nothing but a time limit to the tasks before it."""
    dls = [d for d in deadlines if ca <= d.start < cb and not d.tentative]
    if len(dls) != 1:
        return False
    d = dls[0]
    rest = text[ca : d.start] + " " + text[d.end : cb]
    if not _BARE_DUE.fullmatch(rest.strip(" .,")):
        return False
    open_ = [t for t in tasks if t.due_text is None]
    if not open_:
        return False
    last_clause = open_[-1].clause_end
    for t in open_:
        if t.clause_end == last_clause:
            t.due_text, t.due, t.recurring = d.text, d.due, d.recurring
    return True


def same_task(a: Task, b: Task) -> bool:
    """Loose identity of two tasks (folded ``what``)."""
    return fold(a.what) == fold(b.what)
