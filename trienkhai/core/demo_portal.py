"""The demo's public portal: the seed article itself first, with its date, and what surrounds it.

The seed (``shared/seed/resolution-52-hcmc-2020-06-03.txt``) is a page of the City Party
Committee's portal: a dated article, readers' comments, other news and announcements. The
demo publishes that article verbatim on 3 June 2020, a few related articles (one links the
public tasks, hence the public progress page), a scheduled article and a draft,
announcements (one pinned, one expired), and readers' comments: approved ones — one with an
official reply — and some still waiting. A communication officer of the City publishes and
moderates. Everything goes through the services, as the pages do.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.utils import timezone

from trienkhai.accounts.models import Membership, User
from trienkhai.documents.models import Document
from trienkhai.portal.models import Article, Category
from trienkhai.portal.services import (
    announcement_create,
    article_create,
    article_publish,
    comment_moderate,
    comment_post,
    comment_reply,
)
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit

SEED_TITLE = (
    "Xây dựng chương trình, kế hoạch hành động cụ thể thực hiện Nghị quyết 52 phù hợp với đặc"
    " thù của địa phương, đơn vị"
)
SEED_LEAD = (
    "(Thanhuytphcm.vn) – Ban Thường vụ Thành ủy TPHCM đã có công văn yêu cầu các cấp ủy, tổ chức"
    " Đảng, Đảng đoàn Mặt trận Tổ quốc Việt Nam TP và Đảng đoàn các tổ chức chính trị - xã hội"
    " TP thực hiện một số nội dung thực hiện Hướng dẫn số 116-HD/BTGTW ngày 13/01/2020 của Ban"
    " Tuyên giáo Trung ương về triển khai thực hiện Nghị quyết số 52-NQ/TW ngày 27/9/2014 của Bộ"
    " Chính trị khóa XII về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công"
    " nghiệp lần thứ tư (viết tắt là Nghị quyết 52)."
)
# The seed's paragraphs after the lead, verbatim (its "27/9/2014" and "UNND" included).
SEED_BODY = "\n\n".join(
    [
        "Cụ thể, tổ chức triển khai nghiên cứu, học tập, quán triệt Nghị quyết 52 đến cán bộ,"
        " đảng viên, đoàn viên, hội viên toàn hệ thống chính trị và tuyên truyền đến các tầng lớp"
        " Nhân dân. Trong đó, quán triệt sâu sắc các quan điểm, mục tiêu, nhiệm vụ và giải pháp"
        " được đề cập trong Nghị quyết; xác định đây là yêu cầu tất yếu khách quan, là nhiệm vụ"
        " có ý nghĩa chiến lược đặc biệt quan trọng, vừa cấp bách, vừa lâu dài của cả hệ thống"
        " chính trị và toàn xã hội, gắn chặt với quá trình hội nhập quốc tế sâu rộng, là cơ hội"
        " để TP và đất nước phát triển nhanh và bền vững.",
        "Kịp thời nắm bắt và tận dụng hiệu quả các cơ hội của cuộc Cách mạng công nghiệp lần thứ"
        " tư để nâng cao năng suất lao động, sức cạnh tranh của nền kinh tế, hiệu lực, hiệu quả"
        " quản lý xã hội; nghiên cứu, chuyển giao và ứng dụng mạnh mẽ những thành tựu vào các lĩnh"
        " vực của đời sống kinh tế - xã hội, nhất là những ngành TP có tiềm năng, lợi thế để làm"
        " động lực cho tăng trưởng theo tinh thần bắt kịp, tiến cùng và vượt lên ở một số lĩnh"
        " vực so với khu vực. Chủ động phòng ngừa, ứng phó, hạn chế các tác động tiêu cực, đảm"
        " bảo quốc phòng, an ninh, an toàn, công bằng xã hội và tính bền vững của quá trình phát"
        " triển TP và đất nước.",
        "Tiếp tục đổi mới tư duy về quản lý kinh tế, quản lý xã hội, góp phần nghiên cứu đề xuất"
        " xây dựng và hoàn thiện thể chế phù hợp; quan tâm lãnh đạo, chỉ đạo, tạo điều kiện cho"
        " đổi mới sáng tạo, phát huy tối đa các nguồn lực, đảm bảo sự lãnh đạo của Đảng, quản lý"
        " của Nhà nước, phát huy sức mạnh của toàn xã hội chủ động tham gia cuộc Cách mạng công"
        " nghiệp lần thứ tư.",
        "Cạnh đó, xây dựng chương trình, kế hoạch hành động cụ thể thực hiện Nghị quyết 52 phù"
        " hợp với đặc thù của địa phương, đơn vị. Cụ thể, Ban cán sự đảng UBND TP chỉ đạo UBND TP"
        " tham mưu Ban Thường vụ Thành ủy xây dựng Chương trình hành động của Thành ủy thực hiện"
        " Nghị quyết số 52 - NQ/TW của Bộ Chính trị khóa XII về một số chủ trương, chính sách chủ"
        " động tham gia cuộc Cách mạng công nghiệp lần thứ tư. Thời gian trình Ban Thường vụ Thành"
        " ủy trong quý II năm 2020.",
        "Cấp ủy, các tổ chức Đảng, chính quyền các cấp, các cơ quan, đơn vị cần tích cực, chủ"
        " động trong lãnh đạo, chỉ đạo, tổ chức thực hiện các nhiệm vụ, giải pháp theo Chương"
        " trình hành động của Thành ủy; xây dựng kế hoạch, lộ trình thực hiện của địa phương, đơn"
        " vị mình gắn với triển khai thực hiện Đề án xây dựng TPHCM trở thành đô thị thông minh"
        " giai đoạn 2017 - 2020, tầm nhìn đến năm 2025.",
        "Ngoài ra, các quận ủy, huyện ủy, đảng ủy cấp trên cơ sở, đảng ủy cơ sở trực thuộc Thành"
        " ủy chủ động xây dựng kế hoạch kiểm tra, giám sát việc triển khai thực hiện của các cấp"
        " ủy, tổ chức đảng trực thuộc. Các quận ủy, huyện ủy chỉ đạo UNND quận, huyện đánh giá"
        " kết quả hàng năm và gửi báo cáo UBND TP để Ban cán sự đảng UBND TP tham mưu Ban Thường"
        " vụ Thành ủy báo cáo Bộ Chính trị kết quả thực hiện theo định kỳ hàng năm.",
    ]
)
SEED_AUTHOR = "H.Thảo"
SEED_PUBLISHED = (2020, 6, 3, 8, 0)

CATEGORIES = [
    ("Tin tức - Sự kiện", "tin-tuc-su-kien"),
    ("Học tập, quán triệt Nghị quyết", "hoc-tap-quan-triet"),
    ("Chuyển đổi số", "chuyen-doi-so"),
    ("Xây dựng Đảng", "xay-dung-dang"),
]

# (name, comment, approve, official reply)
COMMENTS = [
    (
        "Nguyễn Minh Tâm",
        "Đề nghị các phường sớm tổ chức học tập Nghị quyết 52 cho cả đoàn viên thanh niên,"
        " vì thanh niên là lực lượng tiếp cận công nghệ nhanh nhất.",
        True,
        "Cảm ơn bạn đã góp ý. Thành đoàn đã được giao phối hợp tổ chức học tập cho đoàn viên,"
        " thanh niên trong quý III.",
    ),
    (
        "Trần Thu Hà",
        "Tôi mong kế hoạch của phường gắn với việc đưa dịch vụ công trực tuyến đến từng khu phố.\n"
        "Người lớn tuổi cần được hướng dẫn cách dùng.",
        True,
        "",
    ),
    ("Lê Quang Vinh", "Bài viết rất thiết thực, cảm ơn Ban biên tập.", True, ""),
    (
        "Phạm Ngọc Lan",
        "Khi nào các phường công bố kế hoạch thực hiện để người dân cùng theo dõi?",
        False,
        "",
    ),
    (
        "Võ Thành Nhân",
        "Đề nghị đăng thêm tài liệu hỏi - đáp ngắn gọn về Nghị quyết 52 để tuyên truyền ở khu phố.",
        False,
        "",
    ),
]


@dataclass
class PortalDemo:
    articles: int = 0
    comments: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _aware(*parts: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*parts))


def _at(day: dt.date, hour: int = 8) -> dt.datetime:
    return _aware(day.year, day.month, day.day, hour, 0)


def _doc(symbol: str) -> Document | None:
    return Document.objects.filter(symbol=symbol, visibility="public").first()


def build_portal_demo(*, city: Unit, letter: Document, today: dt.date) -> PortalDemo:
    """Categories, articles, announcements, comments and a communication officer."""
    result = PortalDemo()
    password = secrets.token_urlsafe(12)
    editor = User.objects.create_user(
        username="bientap.thanhuy",
        password=password,
        full_name="Võ Thị Em",
        position="Cán bộ phụ trách Cổng thông tin",
        email="bientap.thanhuy@example.org",
    )
    Membership.objects.create(
        user=editor, unit=city, role=Membership.Role.COMMUNICATION, title=editor.position
    )
    result.logins.append(
        ("bientap.thanhuy", password, f"Võ Thị Em, communication, {city.name} (portal editor)")
    )
    cats = {
        slug: Category.objects.create(name=name, slug=slug, position=i)
        for i, (name, slug) in enumerate(CATEGORIES, start=1)
    }
    nq52, hd116 = _doc("52-NQ/TW"), _doc("116-HD/BTGTW")
    public_docs = [d for d in (nq52, hd116, letter) if d is not None]
    public_tasks = list(Task.objects.filter(source_document=letter, is_public=True))

    def publish(at: dt.datetime, **fields) -> Article:
        a = article_create(owner=city, by=editor, **fields)
        result.articles += 1
        return article_publish(article=a, by=editor, publish_at=at)

    seed = publish(
        _aware(*SEED_PUBLISHED),
        title=SEED_TITLE,
        lead=SEED_LEAD,
        body=SEED_BODY,
        author_line=SEED_AUTHOR,
        category=cats["tin-tuc-su-kien"],
        documents=public_docs,
        tasks=public_tasks,
    )
    if hd116 is not None:
        publish(
            _aware(2020, 1, 20, 9, 0),
            title="Ban Tuyên giáo Trung ương hướng dẫn triển khai thực hiện Nghị quyết 52-NQ/TW",
            lead="Hướng dẫn số 116-HD/BTGTW ngày 13/01/2020 yêu cầu các cấp ủy tổ chức nghiên"
            " cứu, học tập, quán triệt và tuyên truyền Nghị quyết 52-NQ/TW về chủ động tham gia"
            " cuộc Cách mạng công nghiệp lần thứ tư. (Bài minh họa của bản demo.)",
            body="Hướng dẫn đề nghị các cấp ủy, tổ chức đảng:\n\n"
            "- tổ chức học tập, quán triệt Nghị quyết đến cán bộ, đảng viên;\n"
            "- tuyên truyền sâu rộng đến các tầng lớp Nhân dân;\n"
            "- xây dựng chương trình, kế hoạch hành động phù hợp với đặc thù của địa phương.",
            author_line="Ban biên tập",
            category=cats["hoc-tap-quan-triet"],
            documents=[d for d in (nq52, hd116) if d is not None],
        )
    publish(
        _at(today - dt.timedelta(days=12)),
        title="Các đảng ủy phường, xã tổ chức học tập, quán triệt Nghị quyết 52",
        lead="Nhiều đảng ủy phường, xã đã tổ chức hội nghị quán triệt Nghị quyết 52-NQ/TW cho"
        " cán bộ chủ chốt và đảng viên; việc tuyên truyền đến Nhân dân được đẩy mạnh qua trang"
        " thông tin điện tử và loa truyền thanh khu phố. (Bài minh họa của bản demo.)",
        body="Theo kế hoạch của Thành ủy, các cấp ủy hoàn thành việc học tập, quán triệt trong"
        " thời gian quy định.\n\nTiến độ của từng đơn vị được công khai trên trang **Tiến độ"
        " thực hiện** của Cổng thông tin.",
        author_line="Minh Khoa",
        category=cats["hoc-tap-quan-triet"],
        documents=[d for d in (nq52, letter) if d is not None],
        tasks=public_tasks,
    )
    publish(
        _at(today - dt.timedelta(days=3), 15),
        title="Xây dựng kế hoạch thực hiện Nghị quyết 52 gắn với Đề án đô thị thông minh",
        lead="Các cấp ủy xây dựng kế hoạch, lộ trình thực hiện của địa phương, đơn vị mình gắn"
        " với Đề án xây dựng TPHCM trở thành đô thị thông minh. (Bài minh họa của bản demo.)",
        body="## Những việc cần làm\n\n1. Rà soát các nhiệm vụ của Đề án đô thị thông minh.\n"
        "2. Xác định lộ trình, người chịu trách nhiệm.\n3. Báo cáo kết quả hằng năm.",
        author_line="Thu Trang",
        category=cats["chuyen-doi-so"],
        documents=[d for d in (letter,) if d is not None],
        tasks=public_tasks,
    )
    scheduled = article_create(
        owner=city,
        by=editor,
        title="Sơ kết việc thực hiện Nghị quyết 52 (bài hẹn giờ đăng)",
        lead="Bài viết được hẹn giờ: chỉ xuất hiện trên cổng thông tin vào ngày mai.",
        category=cats["tin-tuc-su-kien"],
    )
    article_publish(article=scheduled, by=editor, publish_at=_at(today + dt.timedelta(days=1), 7))
    article_create(
        owner=city,
        by=editor,
        title="Hỏi - đáp về Nghị quyết 52 (bản nháp)",
        lead="Bản nháp đang biên tập, chưa đăng.",
        category=cats["hoc-tap-quan-triet"],
    )
    result.articles += 2

    announcement_create(
        owner=city,
        by=editor,
        title="Lịch tiếp công dân của Thường trực Thành ủy",
        body="Thường trực Thành ủy tiếp công dân định kỳ vào ngày 15 hằng tháng tại Trụ sở"
        " Tiếp công dân Thành phố. (Thông báo minh họa của bản demo.)",
        date=today - dt.timedelta(days=5),
        pinned=True,
        status="published",
    )
    announcement_create(
        owner=city,
        by=editor,
        title="Phát động cuộc thi viết về chuyển đổi số ở cơ sở",
        body="Nhận bài dự thi đến hết ngày ghi trong thông báo. (Thông báo minh họa.)",
        date=today - dt.timedelta(days=2),
        expires_on=today + dt.timedelta(days=30),
        status="published",
    )
    announcement_create(
        owner=city,
        by=editor,
        title="Thông báo đã hết hạn (không còn hiển thị)",
        date=today - dt.timedelta(days=40),
        expires_on=today - dt.timedelta(days=10),
        status="published",
    )

    for i, (name, text, approve, reply) in enumerate(COMMENTS, start=1):
        receipt = comment_post(
            article=seed,
            name=name,
            email=f"ban.doc.{i}@example.org",
            text=text,
            ip=f"198.51.100.{i}",
        )
        result.comments += 1
        if approve:
            comment_moderate(comment=receipt.comment, by=editor, action="approve")
        if reply:
            comment_reply(comment=receipt.comment, by=editor, text=reply)
            result.comments += 1
    return result
