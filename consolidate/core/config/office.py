"""The ``[office]`` section: who the office is, the one source of its identity.

Province, parent agency, office name, the body it serves, document number prefixes, the
signer and the recipients. Workbooks, Word documents and e-mails print these values; the
product never writes the office's name itself. Today's office is the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from consolidate.core.config.checks import bad, typed
from consolidate.core.text import clean_multiline, nfc


@dataclass(frozen=True)
class Office:
    """Who the office is: what its workbooks and documents print in the heading, the number,
    the signature and the recipients. ``[office]`` of ``consolidate.toml``."""

    province: str = "Đắk Lắk"  # the place of the dateline: "Đắk Lắk, ngày 05 tháng 6 năm 2026"
    parent_agency: str = "Ủy ban nhân dân tỉnh Đắk Lắk"  # first heading line, printed in caps
    office_name: str = "Sở Khoa học và Công nghệ"  # the issuing office
    #: The body the consolidated workbooks are issued for (second heading line, in caps);
    #: a line break is written "\n".
    group_name: str = "Tổ giúp việc về CCHC, thể chế, KHCN,\nĐMST, CĐS và phát triển nguồn nhân lực"
    office_role: str = "Cơ quan thường trực Tổ giúp việc"  # what the office is to that body
    #: The field of the tasks followed, as it stands in "Tiến độ thực hiện nhiệm vụ …".
    subject: str = (
        "cải cách hành chính, thể chế, khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và "
        "phát triển nguồn nhân lực"
    )
    doc_prefix: str = "BC-SKHCN"  # document number: "Số: …/BC-SKHCN"
    letter_prefix: str = "SKHCN-VP"  # a letter (công văn, don-doc): "Số: …/SKHCN-VP"
    signer_authority: str = "KT. GIÁM ĐỐC"  # "KT. GIÁM ĐỐC", "TL. …", "" when signing in person
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = ""  # empty: the name is written by hand
    addressee: str = "Ủy ban nhân dân tỉnh"  # "Kính gửi: …"
    recipients: tuple[str, ...] = ("Như trên", "Lãnh đạo Sở", "Lưu: VT")  # "Nơi nhận"

    @property
    def parent_heading(self) -> str:
        return self.parent_agency.upper()

    @property
    def group_heading(self) -> str:
        return self.group_name.upper()

    @property
    def group_in_line(self) -> str:
        """The body's name on one line (its line breaks become spaces)."""
        return " ".join(self.group_name.split())

    @property
    def full_name(self) -> str:
        """'Sở Khoa học và Công nghệ tỉnh Đắk Lắk': the office and where it is. The kind of
        place ('tỉnh', 'thành phố') is the word before the province in the parent agency's
        name; an office name that already names the province is kept as it is."""
        if self.province.casefold() in self.office_name.casefold():
            return self.office_name
        m = re.search(r"(tỉnh|thành phố)\s+" + re.escape(self.province), self.parent_agency, re.I)
        return f"{self.office_name} {m[1].lower() if m else 'tỉnh'} {self.province}"

    @property
    def role_in_sentence(self) -> str:
        """'cơ quan thường trực Tổ giúp việc (Sở Khoa học và Công nghệ)'."""
        if not self.office_role:
            return self.office_name
        return f"{self.office_role[:1].lower()}{self.office_role[1:]} ({self.office_name})"

    @property
    def prepared_by(self) -> str:
        """'Cơ quan thường trực Tổ giúp việc: Sở Khoa học và Công nghệ'."""
        return f"{self.office_role}: {self.office_name}" if self.office_role else self.office_name


_REQUIRED = ("province", "parent_agency", "office_name", "doc_prefix")


def parse_office(raw: dict[str, Any]) -> Office:
    """The ``[office]`` table; a missing key keeps today's value."""
    default = Office()
    unknown = sorted(set(raw) - {f.name for f in fields(Office)})
    if unknown:
        raise bad(
            f"office.{unknown[0]}",
            "không phải khóa của [office]",
            f"Dùng các khóa: {', '.join(f.name for f in fields(Office))}.",
        )
    values: dict[str, Any] = {}
    for f in fields(Office):
        if f.name == "recipients":
            continue
        text = clean_multiline(typed(raw, "office", f.name, getattr(default, f.name), str)).strip()
        if f.name in _REQUIRED and not text:
            raise bad(f"office.{f.name}", "đang để trống", "Ghi giá trị trong dấu ngoặc kép.")
        values[f.name] = text
    recipients = raw.get("recipients", list(default.recipients))
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        raise bad(
            "office.recipients",
            "không phải danh sách chuỗi",
            'Ghi dạng recipients = ["Như trên", "Lưu: VT"].',
        )
    values["recipients"] = tuple(nfc(r.strip()) for r in recipients if r.strip())
    values["doc_prefix"] = values["doc_prefix"].lstrip("/")
    return Office(**values)
