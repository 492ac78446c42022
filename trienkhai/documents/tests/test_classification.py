import pytest

from trienkhai.documents.classification import classification_marker, symbol_marker


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("MẬT", "Mật"),
        ("ĐẢNG BỘ THÀNH PHỐ\nTỐI MẬT\nSố 12-NQ/TU", "Tối mật"),
        ("(Tuyệt mật)", "Tuyệt mật"),
        ("  mật  ", "Mật"),
        ("Số: 12-NQ/TU            MẬT", "Mật"),
        ("Độ mật: Tối mật", "Tối mật"),
        ("Số: 12/KH-UBND        Độ mật: Mật", "Mật"),
        ("ĐỘ MẬT: MẬT", "Mật"),
        ("Tài liệu MẬT, không phổ biến rộng rãi", "Mật"),
        ("TOI MAT", "Tối mật"),
    ],
)
def test_it_spots_classification_stamps(text, marker):
    assert classification_marker(text) == marker


@pytest.mark.parametrize(
    "text",
    [
        "Mật độ dân số của phường cao nhất Thành phố",
        "Thực hiện nghiêm quy định bảo vệ bí mật nhà nước",
        "Không chia sẻ mật khẩu tài khoản",
        "quan hệ mật thiết giữa Đảng và Nhân dân",
        "QUY CHẾ BẢO VỆ BÍ MẬT NHÀ NƯỚC",
        "ĐỔI MẬT KHẨU ĐỊNH KỲ",
        "Độ mật: Thường",
        'Luật quy định ba độ mật: "Tuyệt mật", "Tối mật" và "Mật".',
        "Tài liệu phải đóng dấu “Mật” theo quy định.",
        "",
    ],
)
def test_it_leaves_ordinary_words_alone(text):
    assert classification_marker(text) is None


def test_it_finds_a_marker_written_into_the_symbol():
    assert symbol_marker("15-NQ/TW (MẬT)") == "Mật"
    assert symbol_marker("52-NQ/TW") is None
