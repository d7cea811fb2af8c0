"""The office's identity is configuration: ``[office]`` of consolidate.toml names the province,
the agencies, the document number, the signer and the recipients; the workbooks print it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from consolidate.build import build_weekly
from consolidate.core.config import CONFIG_NAME, Config, Office, init_workspace, load_config
from consolidate.core.errors import ConfigError
from consolidate.core.fmt import date_line
from consolidate.render.template import write_template
from consolidate.store.db import Store
from tests.helpers_store import add_submission, task

OTHER_OFFICE = """[office]
province = "Lâm Đồng"
parent_agency = "Ủy ban nhân dân tỉnh Lâm Đồng"
office_name = "Sở Khoa học và Công nghệ Lâm Đồng"
group_name = "Tổ công tác chuyển đổi số"
office_role = "Cơ quan thường trực Tổ công tác"
subject = "chuyển đổi số"
doc_prefix = "/BC-KHCN"
signer_authority = "TL. GIÁM ĐỐC"
signer_title = "CHÁNH VĂN PHÒNG"
signer_name = "Trần Thị Mai"
addressee = "Văn phòng Ủy ban nhân dân tỉnh"
recipients = ["Như trên", "Lưu: VT, VP"]

"""


def _with_office(config: Config, block: str) -> Config:
    root = config.root
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    start = text.index("[office]")
    end = text.index("[validation]")
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")
    return load_config(root)


def test_default_office_is_todays_office(workspace: Config) -> None:
    office = workspace.office
    assert office == Office()
    assert office.parent_heading == "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"
    assert office.group_heading == (
        "TỔ GIÚP VIỆC VỀ CCHC, THỂ CHẾ, KHCN,\nĐMST, CĐS VÀ PHÁT TRIỂN NGUỒN NHÂN LỰC"
    )
    assert office.prepared_by == "Cơ quan thường trực Tổ giúp việc: Sở Khoa học và Công nghệ"
    assert office.doc_prefix == "BC-SKHCN"
    assert office.signer_authority == "KT. GIÁM ĐỐC" and office.signer_title == "PHÓ GIÁM ĐỐC"
    assert office.recipients == ("Như trên", "Lãnh đạo Sở", "Lưu: VT")


def test_a_configured_office_is_printed_in_the_workbooks(tmp_path: Path) -> None:
    config = _with_office(init_workspace(tmp_path / "Lâm Đồng"), OTHER_OFFICE)
    office = config.office
    assert office.province == "Lâm Đồng" and office.doc_prefix == "BC-KHCN"
    assert office.signer_name == "Trần Thị Mai"
    assert office.recipients == ("Như trên", "Lưu: VT, VP")
    assert office.addressee == "Văn phòng Ủy ban nhân dân tỉnh"

    with Store(config.store, config.archive) as store:
        add_submission(store, "SKHCN", datetime(2026, 5, 27, 9, tzinfo=config.calendar.tz),
                       tasks=[task()])  # fmt: skip
        out = build_weekly(
            config, store, "2026-W22", now=datetime(2026, 5, 29, 9, tzinfo=config.calendar.tz)
        )
    wb = openpyxl.load_workbook(out.path)
    texts = [str(c.value) for row in wb["Tổng hợp"].iter_rows() for c in row if c.value]
    assert texts[:3] == [
        "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỔ CÔNG TÁC CHUYỂN ĐỔI SỐ",
    ]
    assert "Lâm Đồng, ngày 29 tháng 5 năm 2026" in texts
    assert any("Cơ quan thường trực Tổ công tác: Sở Khoa học và Công nghệ Lâm Đồng." in t
               for t in texts)  # fmt: skip
    assert not any("Đắk Lắk" in t or "ĐẮK LẮK" in t for t in texts)
    # the field of the tasks is the office's too: "chuyển đổi số", not Đắk Lắk's six fields
    assert "Tiến độ thực hiện nhiệm vụ chuyển đổi số — tuần 22/2026" in texts
    assert not any("cải cách hành chính" in t for t in texts)
    import docx

    assert out.document is not None
    word = "\n".join(p.text for p in docx.Document(str(out.document)).paragraphs)
    assert "Tiến độ thực hiện nhiệm vụ chuyển đổi số tuần 22/2026" in " ".join(word.split())
    assert "cải cách hành chính" not in word and "Đắk Lắk" not in word
    # the office name already names the province: not "… Lâm Đồng tỉnh Lâm Đồng"
    assert wb.properties.creator == "Sở Khoa học và Công nghệ Lâm Đồng"

    template = openpyxl.load_workbook(
        write_template(tmp_path / "mẫu.xlsx", config.units, office=config.office)
    )
    guide = " ".join(str(c.value) for row in template["Hướng dẫn"].iter_rows() for c in row
                     if c.value)  # fmt: skip
    assert "cơ quan thường trực Tổ công tác (Sở Khoa học và Công nghệ Lâm Đồng)" in guide
    assert "Tổ giúp việc (Sở Khoa học" not in guide


@pytest.mark.parametrize(
    ("office", "full_name"),
    [
        (Office(), "Sở Khoa học và Công nghệ tỉnh Đắk Lắk"),
        (
            Office(province="Hà Nội", parent_agency="Ủy ban nhân dân thành phố Hà Nội"),
            "Sở Khoa học và Công nghệ thành phố Hà Nội",
        ),
        (Office(office_name="Sở KH&CN Lâm Đồng", province="Lâm Đồng"), "Sở KH&CN Lâm Đồng"),
    ],
)
def test_full_name_says_where_the_office_is(office: Office, full_name: str) -> None:
    assert office.full_name == full_name


@pytest.mark.parametrize(
    ("block", "key"),
    [
        ('[office]\nprovince = ""\n\n', "office.province"),
        ("[office]\nprovince = 5\n\n", "office.province"),
        ('[office]\nrecipients = "Như trên"\n\n', "office.recipients"),
        ('[office]\nsigner = "A"\n\n', "office.signer"),
    ],
)
def test_bad_office_names_the_key(tmp_path: Path, block: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        _with_office(init_workspace(tmp_path / "w"), block)
    assert f"'{key}'" in str(err.value) or key in str(err.value)


def test_dateline_follows_decree_30() -> None:
    """Days below 10 and the months 1 and 2 take a leading 0."""
    assert date_line(date(2026, 6, 5), "Đắk Lắk") == "Đắk Lắk, ngày 05 tháng 6 năm 2026"
    assert date_line(date(2026, 2, 14), "Đắk Lắk") == "Đắk Lắk, ngày 14 tháng 02 năm 2026"
    assert date_line(date(2026, 12, 31), "Lâm Đồng") == "Lâm Đồng, ngày 31 tháng 12 năm 2026"


def _office_words_of_daklak(text: str) -> list[str]:
    """Words that would name today's office or province in a text meant for another one."""
    words = ("Đắk Lắk", "ĐẮK LẮK", "daklak", "SKHCN", "Sở KH&CN", "lãnh đạo tỉnh")
    words += ("máy chủ thư của Sở", "do Sở phát hành")
    return [w for w in words if w in text]


def test_a_configured_office_signs_the_mails(tmp_path: Path) -> None:
    """The replies to units and the reminders name the configured office, never today's."""
    from email.message import EmailMessage

    from consolidate.mail.config import load_mail_settings
    from consolidate.mail.remind import OVERDUE, remind
    from consolidate.mail.reply import ReplyInput, compose_reply
    from tests.mailservers import configure, mail_config_text

    config = _with_office(init_workspace(tmp_path / "Lâm Đồng"), OTHER_OFFICE)
    configure(config.root, mail_config_text(143, 25), {"STP": "stp@lamdong.gov.vn"})
    config = load_config(config.root)
    settings = load_mail_settings(config)
    tz = config.calendar.tz

    # W23: cut-off 17:00 Thursday 4 June 2026; 17:45 is past the overdue step (17:30)
    plan = remind(config, settings, now=datetime(2026, 6, 4, 17, 45, tzinfo=tz), dry_run=True)
    overdue = [r for r in plan.new if r.unit_code == "STP" and r.step == OVERDUE]
    assert len(overdue) == 1, [(r.unit_code, r.step) for r in plan.new]
    body = overdue[0].body
    assert (
        "Đến nay Sở Khoa học và Công nghệ Lâm Đồng chưa nhận được báo cáo tuần Tuần 23/2026"
        in " ".join(body.split())
    ), body
    assert "báo cáo Văn phòng Ủy ban nhân dân tỉnh trước 10:00 ngày 05/06/2026" in body
    assert "hệ thống tiếp nhận báo cáo của Sở Khoa học và Công nghệ Lâm Đồng" in body
    assert _office_words_of_daklak(body) == []

    original = EmailMessage()
    original["From"] = "stp@lamdong.gov.vn"
    original["Subject"] = "Báo cáo tuần"
    original["Message-ID"] = "<1@lamdong.gov.vn>"
    original.set_content("Gửi Sở.")
    reply = compose_reply(
        config,
        settings,
        ReplyInput(original, "stp@lamdong.gov.vn", datetime(2026, 6, 4, 9, tzinfo=tz)),
    )
    text = reply.eml.decode("ascii")
    import email
    import email.policy

    parsed = email.message_from_string(text, policy=email.policy.default)
    content = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    flat = " ".join(content.split())
    assert "Sở Khoa học và Công nghệ Lâm Đồng đã nhận thư của đơn vị lúc 09:00 ngày 04/06/2026" in (
        flat
    )
    assert 'theo mẫu "khung báo cáo chung" do Sở Khoa học và Công nghệ Lâm Đồng phát hành' in flat
    assert _office_words_of_daklak(content) == []


def test_the_template_names_the_configured_group(tmp_path: Path) -> None:
    config = _with_office(init_workspace(tmp_path / "Lâm Đồng"), OTHER_OFFICE)
    path = write_template(tmp_path / "mẫu.xlsx", config.units, office=config.office)
    book = openpyxl.load_workbook(path)
    guide = " ".join(str(c.value) for row in book["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "Tổ công tác chuyển đổi số – phiên bản mẫu" in guide, guide[:400]
    assert _office_words_of_daklak(guide) == [] and "Tổ giúp việc" not in guide
    assert book.properties.subject == "Báo cáo tiến độ nhiệm vụ, dự án: Tổ công tác chuyển đổi số"
    assert book.properties.creator == "Sở Khoa học và Công nghệ Lâm Đồng"
