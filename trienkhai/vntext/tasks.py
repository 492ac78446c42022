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
)
_VERB_ALT = "|".join(re.escape(v) for v in sorted(VERBS, key=len, reverse=True))
# "tổ chức" is a noun in "các tổ chức cơ sở đảng"; "trình" hides in "chương trình".
VERBS_RX = re.compile(
    rf"(?<![\wÀ-ỹ])(?<!chương )(?<!Chương )(?:{_VERB_ALT})(?![\wÀ-ỹ])"
    r"(?<!tổ chức(?= cơ sở| đảng| chính trị| xã hội| thành viên| công đoàn| Đoàn| quần chúng))"
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
    r"|Đồng thời|Ngoài ra|Bên cạnh đó|Căn cứ [^,]{3,160}|Thực hiện [^,]{3,160}|Riêng [^,]{3,80}"
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
    return None


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
    return merged


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
            else:
                if s.endswith(":") and not s.startswith("Kính gửi"):
                    in_zone = True
                    ctx.leadin = _leadin_who(text, a, b)
                continue
        if not section_ok:
            continue
        body_a = a + (item.end() if item else 0)
        if s.endswith(":") and not s.startswith("Kính gửi"):
            # "1. Thủ trưởng các sở, ban, ngành, Chủ tịch UBND …:" names who does a), b), c).
            body = text[body_a:b].rstrip().rstrip(":")
            sp = _read_subject(text, body_a, body_a + len(body))
            if sp and sp[1] >= body_a + len(body.rstrip()) - 1:
                ctx.item_leadin = sp
                continue
            lw = _leadin_who(text, a, b)
            if lw:
                ctx.leadin = lw
            continue
        for sa, sb in _sentences(text, body_a, b):
            sent = text[sa:sb]
            if news and not news_on:
                if _NEWS_TRIGGER.search(sent):
                    news_on = True
                continue
            if news and _NEWS_EVENT.match(sent):
                continue
            if kind == "report" and re.match(r"\s*(?:Đề nghị|Kiến nghị)", sent):
                continue
            implicit = ctx.item_leadin if is_sub or not is_num else None
            implicit = implicit or ctx.leadin
            tasks.extend(_read_sentence(text, sa, sb, deadlines, implicit))
    return tasks


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
        # Leading deadline ("Định kỳ hằng tháng (trước ngày 25), UBND …").
        lead_dl = [d for d in deadlines if d.start == ca]
        clause_dls = [d for d in deadlines if ca <= d.start < cb and not d.tentative]
        if any(d.tentative for d in deadlines if ca <= d.start < cb):
            continue
        p = ca
        if lead_dl:
            p = lead_dl[0].end
            m = re.match(r"\s*,\s*", text[p:cb])
            if m:
                p += m.end()
        for _ in range(3):
            m = _LEAD_ADVERBIAL.match(text[p:cb]) or _LEAD_TOPIC.match(text[p:cb])
            # An opener is dropped only when a body or an assignment follows it.
            if not m or not (
                _subject(text, p + m.end(), cb)
                or re.match(r"(?:Giao|giao)\s", text[p + m.end() : cb])
                or _LEAD_TOPIC.match(text[p:cb])
            ):
                break
            p += m.end()
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
        m = re.match(r"chủ trì(?:\s*,\s*|\s+và\s+|\s+)?", text[v:cb])
        if m:
            after = v + m.end()
            pm = re.match(r"phối hợp (?:chặt chẽ )?(?:với|cùng)\s+", text[after:cb])
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


def same_task(a: Task, b: Task) -> bool:
    """Loose identity of two tasks (folded ``what``)."""
    return fold(a.what) == fold(b.what)
