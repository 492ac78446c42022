"""The demo: Hồ Chí Minh City's Party organization and the Resolution 52 case, built with code.

``build_demo()`` creates, through the same services as the pages:

* a "Trung ương" root with the Politburo and the Central Propaganda Department (issuers of
  52-NQ/TW and 116-HD/BTGTW);
* the City Party Committee with its Standing Committee, staff boards, the People's
  Committee's party committee and the People's Committee, the Fatherland Front, and the 168
  wards, communes and the special zone (a party committee and a People's Committee each,
  names and codes from the ``vietnam-provinces`` package), with a few party cells;
* the former Party cadre committee of the People's Committee, dissolved in 2025 with its
  successor, so the tree shows a reorganization;
* the document chain 52-NQ/TW → 116-HD/BTGTW → the City letter → the Action Program → ward
  plans;
* the letter's tasks spread over the wards with realistic statuses (``demo_cascade``);
* the annual evaluation of Resolution 52, 2020–2025, reported by the wards to the City
  (``demo_reports``);
* four personas (a City leader, two ward officers, a member of the City's inspection
  committee) and a superuser, with passwords generated now and written only to
  ``var/demo-logins.txt`` (mode 0600), which ``manage.py demo_logins`` prints.

Headcounts are pseudo-random with a fixed seed, so every demo has the same figures.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from trienkhai.accounts.models import Membership, User
from trienkhai.core.demo_cascade import CascadeBuilder
from trienkhai.core.demo_outreach import OutreachBuilder
from trienkhai.core.demo_portal import build_portal_demo
from trienkhai.core.demo_reports import ReportsBuilder
from trienkhai.documents.models import Document
from trienkhai.documents.services import document_create
from trienkhai.units.divisions import divisions_for_province, peoples_committee_name
from trienkhai.units.models import Unit
from trienkhai.units.services import unit_create, unit_dissolve
from trienkhai.vntext.text import normalize_space

HCMC_PROVINCE = 79
SEED = 2020
K = Unit.Kind

NQ52_SUMMARY = (
    "Về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư"
)

# The seed article (Thanhuytphcm.vn, 3 June 2020), kept verbatim, including its "27/9/2014"
# (a typo of the source for 27/9/2019).
LETTER_TEXT = """\
Ban Thường vụ Thành ủy TPHCM đã có công văn yêu cầu các cấp ủy, tổ chức Đảng, Đảng đoàn Mặt \
trận Tổ quốc Việt Nam TP và Đảng đoàn các tổ chức chính trị - xã hội TP thực hiện một số nội \
dung thực hiện Hướng dẫn số 116-HD/BTGTW ngày 13/01/2020 của Ban Tuyên giáo Trung ương về \
triển khai thực hiện Nghị quyết số 52-NQ/TW ngày 27/9/2014 của Bộ Chính trị khóa XII về một \
số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư (viết tắt là \
Nghị quyết 52).

Cụ thể, tổ chức triển khai nghiên cứu, học tập, quán triệt Nghị quyết 52 đến cán bộ, đảng \
viên, đoàn viên, hội viên toàn hệ thống chính trị và tuyên truyền đến các tầng lớp Nhân dân. \
Trong đó, quán triệt sâu sắc các quan điểm, mục tiêu, nhiệm vụ và giải pháp được đề cập trong \
Nghị quyết; xác định đây là yêu cầu tất yếu khách quan, là nhiệm vụ có ý nghĩa chiến lược đặc \
biệt quan trọng, vừa cấp bách, vừa lâu dài của cả hệ thống chính trị và toàn xã hội, gắn chặt \
với quá trình hội nhập quốc tế sâu rộng, là cơ hội để TP và đất nước phát triển nhanh và bền \
vững.

Kịp thời nắm bắt và tận dụng hiệu quả các cơ hội của cuộc Cách mạng công nghiệp lần thứ tư để \
nâng cao năng suất lao động, sức cạnh tranh của nền kinh tế, hiệu lực, hiệu quả quản lý xã \
hội; nghiên cứu, chuyển giao và ứng dụng mạnh mẽ những thành tựu vào các lĩnh vực của đời sống \
kinh tế - xã hội, nhất là những ngành TP có tiềm năng, lợi thế để làm động lực cho tăng trưởng \
theo tinh thần bắt kịp, tiến cùng và vượt lên ở một số lĩnh vực so với khu vực. Chủ động phòng \
ngừa, ứng phó, hạn chế các tác động tiêu cực, đảm bảo quốc phòng, an ninh, an toàn, công bằng \
xã hội và tính bền vững của quá trình phát triển TP và đất nước.

Tiếp tục đổi mới tư duy về quản lý kinh tế, quản lý xã hội, góp phần nghiên cứu đề xuất xây \
dựng và hoàn thiện thể chế phù hợp; quan tâm lãnh đạo, chỉ đạo, tạo điều kiện cho đổi mới sáng \
tạo, phát huy tối đa các nguồn lực, đảm bảo sự lãnh đạo của Đảng, quản lý của Nhà nước, phát \
huy sức mạnh của toàn xã hội chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.

Cạnh đó, xây dựng chương trình, kế hoạch hành động cụ thể thực hiện Nghị quyết 52 phù hợp với \
đặc thù của địa phương, đơn vị. Cụ thể, Ban cán sự đảng UBND TP chỉ đạo UBND TP tham mưu Ban \
Thường vụ Thành ủy xây dựng Chương trình hành động của Thành ủy thực hiện Nghị quyết số 52 - \
NQ/TW của Bộ Chính trị khóa XII về một số chủ trương, chính sách chủ động tham gia cuộc Cách \
mạng công nghiệp lần thứ tư. Thời gian trình Ban Thường vụ Thành ủy trong quý II năm 2020.

Cấp ủy, các tổ chức Đảng, chính quyền các cấp, các cơ quan, đơn vị cần tích cực, chủ động \
trong lãnh đạo, chỉ đạo, tổ chức thực hiện các nhiệm vụ, giải pháp theo Chương trình hành động \
của Thành ủy; xây dựng kế hoạch, lộ trình thực hiện của địa phương, đơn vị mình gắn với triển \
khai thực hiện Đề án xây dựng TPHCM trở thành đô thị thông minh giai đoạn 2017 - 2020, tầm \
nhìn đến năm 2025.

Ngoài ra, các quận ủy, huyện ủy, đảng ủy cấp trên cơ sở, đảng ủy cơ sở trực thuộc Thành ủy chủ \
động xây dựng kế hoạch kiểm tra, giám sát việc triển khai thực hiện của các cấp ủy, tổ chức \
đảng trực thuộc. Các quận ủy, huyện ủy chỉ đạo UNND quận, huyện đánh giá kết quả hàng năm và \
gửi báo cáo UBND TP để Ban cán sự đảng UBND TP tham mưu Ban Thường vụ Thành ủy báo cáo Bộ Chính \
trị kết quả thực hiện theo định kỳ hàng năm.

(Nguồn: Thanhuytphcm.vn, Thứ Tư, ngày 3 tháng 6 năm 2020, "Xây dựng chương trình, kế hoạch \
hành động cụ thể thực hiện Nghị quyết 52 phù hợp với đặc thù của địa phương, đơn vị", H.Thảo.)
"""

# Party cells of three central wards (commune code → cell names).
CELLS = {
    "26743": ["Chi bộ Khu phố 1", "Chi bộ Khu phố 2", "Chi bộ Chợ Bến Thành"],  # Bến Thành
    "26740": ["Chi bộ Khu phố 1", "Chi bộ Khu phố 2"],  # Sài Gòn
    "26737": ["Chi bộ Khu phố 1", "Chi bộ Chợ Tân Định"],  # Tân Định
}
BEN_THANH, TAN_DINH, SAI_GON = "26743", "26737", "26740"

# Ward plans implementing the Action Program: commune code → (number, issue date).
WARD_PLANS = {
    BEN_THANH: ("15", dt.date(2020, 7, 10)),
    TAN_DINH: ("12", dt.date(2020, 7, 14)),
    SAI_GON: ("18", dt.date(2020, 7, 15)),
    "26758": ("09", dt.date(2020, 7, 20)),  # Cầu Ông Lãnh
    "27160": ("21", dt.date(2020, 7, 22)),  # Bàn Cờ
}

# The Party cadre committee of the People's Committee gave way to the People's Committee's
# party committee in early 2025 (the date is approximate: check before relying on it).
REORGANIZED_ON = dt.date(2025, 2, 1)


@dataclass
class DemoLogin:
    username: str
    password: str
    description: str


@dataclass
class DemoResult:
    units: int = 0
    documents: int = 0
    seconds: float = 0.0
    logins: list[DemoLogin] = field(default_factory=list)


# Leaders and administrators pass a TOTP code after the password (accounts/second_factor.py).
# The demo enrolls them with a device of this name, whose current code `manage.py demo_code`
# prints — only for such devices: a real user's secret never leaves the database.
DEMO_DEVICE = "demo"
DEMO_CODE_NOTE = "; 2nd factor: manage.py demo_code {username}"


def demo_device(user: User):
    """A confirmed TOTP device for a demo persona (its code: ``manage.py demo_code``)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name=DEMO_DEVICE, confirmed=True)


def demo_code(username: str) -> str | None:
    """The current code of a demo persona's device; None for anyone else."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user__username=username, name=DEMO_DEVICE, confirmed=True
    ).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-logins.txt"


def is_empty() -> bool:
    return not Unit.objects.exists()


def _ward_names(name: str, division_type: str) -> tuple[str, str, str, str]:
    """Party committee and People's Committee names of a commune, with short names."""
    pc_name, pc_short = peoples_committee_name(name, division_type)
    place = pc_name.removeprefix("Ủy ban nhân dân ")
    return f"Đảng ủy {place}", f"ĐU {place}", pc_name, pc_short


class _Builder:
    def __init__(self, log: Callable[[str], None]) -> None:
        self.rng = random.Random(SEED)
        self.log = log
        self.n_units = 0
        self.n_documents = 0

    def unit(self, parent: Unit | None, name: str, kind: str, **fields) -> Unit:
        self.n_units += 1
        return unit_create(parent=parent, name=name, kind=kind, **fields)

    def doc(self, **fields) -> Document:
        self.n_documents += 1
        return document_create(**fields)

    # --- the tree --------------------------------------------------------------

    def central(self) -> dict[str, Unit]:
        root = self.unit(None, "Trung ương", K.EXTERNAL, short_name="TW", code="TW")
        return {
            "root": root,
            "politburo": self.unit(root, "Bộ Chính trị", K.EXTERNAL, short_name="BCT"),
            "propaganda": self.unit(
                root, "Ban Tuyên giáo Trung ương", K.EXTERNAL, short_name="BTGTW", code="BTGTW"
            ),
        }

    def city(self) -> dict[str, Unit]:
        rng = self.rng
        city = self.unit(
            None,
            "Đảng bộ Thành phố Hồ Chí Minh",
            K.PARTY_COMMITTEE,
            short_name="Thành ủy",
            code="TU79",
        )
        standing = self.unit(
            city, "Ban Thường vụ Thành ủy", K.ADVISORY_BOARD, short_name="BTV Thành ủy"
        )
        boards = [
            ("Ban Tổ chức Thành ủy", "BTC Thành ủy"),
            ("Ban Tuyên giáo và Dân vận Thành ủy", "BTGDV Thành ủy"),
            ("Ban Nội chính Thành ủy", "BNC Thành ủy"),
            ("Ủy ban Kiểm tra Thành ủy", "UBKT Thành ủy"),
            ("Văn phòng Thành ủy", "VP Thành ủy"),
        ]
        for name, short in boards:
            self.unit(
                city,
                name,
                K.ADVISORY_BOARD,
                short_name=short,
                cadres=rng.randint(40, 120),
                party_members=rng.randint(40, 120),
            )
        # Before 2025 the People's Committee was led by a Party cadre committee; it was
        # dissolved and the People's Committee passed to a new party committee.
        cadre_committee = self.unit(
            city,
            "Ban cán sự đảng Ủy ban nhân dân Thành phố",
            K.CADRE_COMMITTEE,
            short_name="BCS đảng UBND TP",
        )
        peoples_committee = self.unit(
            cadre_committee,
            "Ủy ban nhân dân Thành phố Hồ Chí Minh",
            K.PEOPLES_COMMITTEE,
            short_name="UBND TP",
            code="P79",
            cadres=rng.randint(300, 600),
        )
        pc_party = self.unit(
            city,
            "Đảng ủy Ủy ban nhân dân Thành phố",
            K.PARTY_COMMITTEE,
            short_name="Đảng ủy UBND TP",
            active_from=REORGANIZED_ON,
            party_members=rng.randint(8000, 12000),
        )
        unit_dissolve(unit=cadre_committee, on=REORGANIZED_ON, successor=pc_party)
        front_party = self.unit(
            city,
            "Đảng đoàn Mặt trận Tổ quốc Việt Nam Thành phố",
            K.PARTY_DELEGATION,
            short_name="Đảng đoàn MTTQ TP",
        )
        self.unit(
            front_party,
            "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố Hồ Chí Minh",
            K.FATHERLAND_FRONT,
            short_name="UBMTTQ TP",
            cadres=rng.randint(60, 120),
        )
        wards = self.wards(city)
        return {
            "city": city,
            "standing": standing,
            "peoples_committee": peoples_committee,
            "cadre_committee": cadre_committee,
            "pc_party": pc_party,
            **wards,
        }

    def wards(self, city: Unit) -> dict[str, Unit]:
        rng = self.rng
        found: dict[str, Unit] = {}
        for code, name, division_type in divisions_for_province(HCMC_PROVINCE):
            name = normalize_space(name)
            party_name, party_short, pc_name, pc_short = _ward_names(name, division_type)
            members = rng.randint(300, 3000)
            party = self.unit(
                city,
                party_name,
                K.PARTY_COMMITTEE,
                short_name=party_short,
                code=f"DU{code}",
                party_members=members,
                cadres=rng.randint(40, 200),
                union_members=rng.randint(members // 2, members * 2),
                association_members=rng.randint(members * 3, members * 8),
            )
            self.unit(
                party,
                pc_name,
                K.PEOPLES_COMMITTEE,
                short_name=pc_short,
                code=f"W{code}",
                cadres=rng.randint(30, 90),
            )
            for cell in CELLS.get(code, []):
                self.unit(party, cell, K.GRASSROOTS, party_members=rng.randint(15, 60))
            if code in (BEN_THANH, TAN_DINH, SAI_GON) or code in WARD_PLANS:
                found[code] = party
        return found

    # --- people --------------------------------------------------------------------

    def people(self, units: dict[str, Unit]) -> tuple[list[DemoLogin], dict[str, User]]:
        personas = [
            (
                "lanhdao.thanhuy",
                "Nguyễn Văn An",
                "Lãnh đạo Thành ủy",
                units["city"],
                Membership.Role.LEADER,
            ),
            (
                "canbo.benthanh",
                "Trần Thị Bình",
                "Chuyên viên Văn phòng Đảng ủy",
                units[BEN_THANH],
                Membership.Role.STAFF,
            ),
            (
                "canbo.tandinh",
                "Lê Văn Cường",
                "Chuyên viên Văn phòng Đảng ủy",
                units[TAN_DINH],
                Membership.Role.STAFF,
            ),
            # the City's inspection committee: reads the whole City, acts only for oversight
            # (it records the City's inspection plan and visits in demo_outreach)
            (
                "kiemtra.thanhuy",
                "Hoàng Thị Mai",
                "Ủy viên Ủy ban Kiểm tra Thành ủy",
                units["city"],
                Membership.Role.INSPECTION,
            ),
        ]
        logins: list[DemoLogin] = []
        users: dict[str, User] = {}
        for username, full_name, position, unit, role in personas:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                password=password,
                full_name=full_name,
                position=position,
                email=f"{username}@example.org",
            )
            Membership.objects.create(user=user, unit=unit, role=role, title=position)
            users[username] = user
            note = f"{full_name}, {role}, {unit.name}"
            if role == Membership.Role.LEADER:
                note += DEMO_CODE_NOTE.format(username=username)
                demo_device(user)
            logins.append(DemoLogin(username, password, note))
        password = secrets.token_urlsafe(12)
        users["admin"] = User.objects.create_superuser("admin", "", password, full_name="Quản trị")
        demo_device(users["admin"])
        logins.append(
            DemoLogin(
                "admin",
                password,
                "superuser (Django admin at /admin/)" + DEMO_CODE_NOTE.format(username="admin"),
            )
        )
        return logins, users

    # --- documents -------------------------------------------------------------------

    def documents(
        self, central: dict[str, Unit], units: dict[str, Unit], users: dict
    ) -> dict[str, Document]:
        city, leader, admin = units["city"], users["lanhdao.thanhuy"], users["admin"]
        nq52 = self.doc(
            owner=city,
            by=leader,
            symbol="52-NQ/TW",
            title="Nghị quyết của Bộ Chính trị",
            issue_date=dt.date(2019, 9, 27),
            summary=NQ52_SUMMARY,
            issuer_unit=central["politburo"],
            term="XII",
            visibility="public",
        )
        hd116 = self.doc(
            owner=city,
            by=leader,
            symbol="116-HD/BTGTW",
            title="Hướng dẫn của Ban Tuyên giáo Trung ương",
            issue_date=dt.date(2020, 1, 13),
            summary="Triển khai thực hiện Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị "
            f"khóa XII {NQ52_SUMMARY[0].lower()}{NQ52_SUMMARY[1:]}",
            issuer_unit=central["propaganda"],
            term="XII",
            visibility="public",
            implements=[nq52],
        )
        letter = self.doc(
            owner=city,
            by=leader,
            symbol="2650-CV/TU",
            title="Công văn của Ban Thường vụ Thành ủy",
            issue_date=dt.date(2020, 6, 3),
            summary="Về thực hiện Hướng dẫn số 116-HD/BTGTW của Ban Tuyên giáo Trung ương về "
            "triển khai Nghị quyết số 52-NQ/TW của Bộ Chính trị (số hiệu minh họa)",
            text=LETTER_TEXT,
            issuer_unit=units["standing"],
            term="X",
            visibility="public",
            implements=[hd116],
        )
        program = self.doc(
            owner=city,
            by=leader,
            symbol="40-CTr/TU",
            title="Chương trình hành động của Thành ủy",
            issue_date=dt.date(2020, 6, 26),
            summary="Chương trình hành động của Thành ủy thực hiện Nghị quyết số 52-NQ/TW ngày "
            f"27/9/2019 của Bộ Chính trị khóa XII {NQ52_SUMMARY[0].lower()}{NQ52_SUMMARY[1:]}"
            " (số hiệu minh họa)",
            issuer_unit=city,
            term="X",
            # Internal: the wards below the City read it all the same.
            visibility="internal",
            implements=[letter, nq52],
        )
        authors = {BEN_THANH: users["canbo.benthanh"], TAN_DINH: users["canbo.tandinh"]}
        for code, (number, day) in WARD_PLANS.items():
            ward = units[code]
            self.doc(
                owner=ward,
                by=authors.get(code, admin),
                symbol=f"{number}-KH/ĐU",
                title=f"Kế hoạch của {ward.name}",
                issue_date=day,
                summary="Kế hoạch thực hiện Chương trình hành động của Thành ủy thực hiện Nghị "
                "quyết số 52-NQ/TW của Bộ Chính trị khóa XII, gắn với Đề án xây dựng TPHCM trở "
                "thành đô thị thông minh (số hiệu minh họa)",
                issuer_unit=ward,
                visibility="internal",
                implements=[program],
            )
        return {"letter": letter, "program": program}


def build_demo(*, log: Callable[[str], None] = lambda _msg: None) -> DemoResult:
    """Build the whole demo in one transaction and write the logins file."""
    start = time.perf_counter()
    builder = _Builder(log)
    with transaction.atomic():
        central = builder.central()
        units = builder.city()
        log(f"units: {builder.n_units}")
        logins, users = builder.people(units)
        docs = builder.documents(central, units, users)
        log(f"documents: {builder.n_documents}")
        cascade = CascadeBuilder(today=dt.date.today())
        cascade.build(
            units={**units, "ben_thanh": units[BEN_THANH], "tan_dinh": units[TAN_DINH]},
            users=users,
            letter=docs["letter"],
            program_doc=docs["program"],
        )
        log(
            f"tasks: {cascade.result.tasks}, assignments: {cascade.result.assignments},"
            f" updates: {cascade.result.updates}"
        )
        portal = build_portal_demo(city=units["city"], letter=docs["letter"], today=dt.date.today())
        logins.extend(DemoLogin(*x) for x in portal.logins)
        log(f"portal: {portal.articles} articles, {portal.comments} comments")
        outreach = OutreachBuilder(today=dt.date.today()).build(
            units={**units, "ben_thanh": units[BEN_THANH], "tan_dinh": units[TAN_DINH]},
            users=users,
        )
        log(
            f"study sessions: {outreach.sessions}, public items: {outreach.items},"
            f" visits: {outreach.visits}, recommendations: {outreach.recommendations}"
        )
        reports = ReportsBuilder(today=dt.date.today()).build(
            units={**units, "ben_thanh": units[BEN_THANH], "tan_dinh": units[TAN_DINH]},
            users=users,
            central=central,
        )
        log(f"report rounds: {reports.rounds}, reports: {reports.reports}")
    write_logins(logins)
    return DemoResult(
        units=builder.n_units,
        documents=builder.n_documents,
        seconds=time.perf_counter() - start,
        logins=logins,
    )


def write_logins(logins: list[DemoLogin], path: Path | None = None) -> Path:
    """Write the demo passwords to a file only the owner may read (mode 0600)."""
    path = path or logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{x.username}\t{x.password}\t{x.description}" for x in logins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        os.fchmod(f.fileno(), 0o600)  # the file may have existed with wider rights
        f.write("\n".join(lines) + "\n")
    return path


def read_logins(path: Path | None = None) -> list[DemoLogin]:
    path = path or logins_path()
    if not path.exists():
        return []
    logins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            logins.append(DemoLogin(*parts))
    return logins
