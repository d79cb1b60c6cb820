"""Install the K and R visa types with their document checklists.

A data migration, so production databases get them too; admins edit them afterwards in the
Django admin (re-running does not overwrite their edits: existing rows are left alone).
Sources: State Council Order No. 814 (K visa, in force 2025-10-01); Ministry of Foreign Affairs
visa application guidance (photo and passport requirements); R visa: Confirmation Letter for
High-Level Foreign Talents (Foreign Talent Work Permit rules, Class A).
"""

from django.db import migrations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
ALL = [PDF, JPEG, PNG]
MB = 1024 * 1024

PASSPORT = {
    "code": "passport-bio-page",
    "name_en": "Passport bio-data page",
    "name_zh": "护照个人资料页",
    "help_en": "A colour scan of the page with your photo, valid for at least 6 months after "
    "your intended entry, with at least two blank visa pages.",
    "help_zh": "带照片的护照资料页彩色扫描件；护照有效期在预计入境后至少还有6个月，并至少有两页空白签证页。",
    "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 7,
}
PHOTO = {
    "code": "digital-photo",
    "name_en": "Digital photo",
    "name_zh": "电子照片",
    "help_en": "A recent colour photo, white background, bare head, 354×472 to 420×560 pixels, "
    "JPEG or PNG.",
    "help_zh": "近期彩色免冠照片，白色背景，354×472至420×560像素，JPEG或PNG格式。",
    "required": True, "accepted_types": [JPEG, PNG], "max_size_bytes": 5 * MB,
    "due_offset_days": 7,
}
FORM = {
    "code": "application-form",
    "name_en": "Signed application form confirmation",
    "name_zh": "已签字的签证申请表确认页",
    "help_en": "The confirmation page of the online visa application form (COVA), printed, "
    "signed and scanned.",
    "help_zh": "在线签证申请表（COVA）确认页，打印、签字后扫描上传。",
    "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 21,
}
CV = {
    "code": "cv",
    "name_en": "Curriculum vitae (CV)",
    "name_zh": "个人简历",
    "help_en": "Your education and work history with dates, in English or Chinese, as a PDF.",
    "help_zh": "包含起止日期的教育和工作经历，中文或英文，PDF格式。",
    "required": True, "accepted_types": [PDF], "max_size_bytes": 15 * MB, "due_offset_days": 7,
}

K_ITEMS = [
    PASSPORT,
    PHOTO,
    FORM,
    {
        "code": "degree-certificate",
        "name_en": "Degree certificate (bachelor's or higher, STEM)",
        "name_zh": "学位证书（理工科学士及以上）",
        "help_en": "Your bachelor's, master's or doctoral degree certificate in a science, "
        "technology, engineering or mathematics field from a well-known university or research "
        "institution.",
        "help_zh": "知名高校或科研机构颁发的理工科（科学、技术、工程、数学）学士、硕士或博士学位证书。",
        "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 14,
    },
    {
        "code": "transcript",
        "name_en": "Transcript or diploma supplement showing the major",
        "name_zh": "显示专业的成绩单或学位补充文件",
        "help_en": "An official transcript or diploma supplement that names your field of study.",
        "help_zh": "注明所学专业的正式成绩单或学位补充文件。",
        "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 14,
    },
    {
        "code": "teaching-research-position",
        "name_en": "Proof of current teaching or research position",
        "name_zh": "现任教学或科研岗位证明",
        "help_en": "Optional alternative to the degree route: a letter from a well-known "
        "university or research institution confirming your teaching or research work in a "
        "STEM field.",
        "help_zh": "学位途径的可选替代：知名高校或科研机构出具的、证明您从事理工科教学或科研工作的信函。",
        "required": False, "accepted_types": ALL, "max_size_bytes": 15 * MB,
        "due_offset_days": 14,
    },
    CV,
    {
        "code": "degree-legalisation",
        "name_en": "Apostille or consular legalisation of the degree",
        "name_zh": "学位证书的海牙认证或领事认证",
        "help_en": "The apostille (for Apostille Convention countries) or consular legalisation "
        "of your degree certificate.",
        "help_zh": "学位证书的海牙认证（适用于《取消外国公文认证要求的公约》缔约国）或领事认证。",
        "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 30,
    },
]

R_ITEMS = [
    PASSPORT,
    PHOTO,
    FORM,
    {
        "code": "high-level-talent-letter",
        "name_en": "Confirmation Letter for High-Level Foreign Talents",
        "name_zh": "外国高层次人才确认函",
        "help_en": "Issued by the Chinese authorities to confirm Class A high-level talent "
        "status; in practice your host employer obtains it.",
        "help_zh": "由中国主管部门出具、确认外国高层次人才（A类）身份的确认函；通常由聘用单位申请。",
        "required": True, "accepted_types": ALL, "max_size_bytes": 15 * MB, "due_offset_days": 30,
    },
    CV,
]

VISA_TYPES = [
    {
        "code": "K",
        "name": "K visa (young STEM talent)",
        "name_zh": "K字签证（外国青年科技人才）",
        "description": "For young foreign science and technology talent: a STEM bachelor's degree "
        "or higher from a well-known university or research institution, or teaching or "
        "research work in a relevant field at one. No inviting employer needed. State Council "
        "Order No. 814, in force 2025-10-01.",
        "items": K_ITEMS,
    },
    {
        "code": "R",
        "name": "R visa (high-level talent)",
        "name_zh": "R字签证（外国高层次人才）",
        "description": "For foreign high-level talents and specialists urgently needed in China "
        "(Class A); requires a Confirmation Letter for High-Level Foreign Talents.",
        "items": R_ITEMS,
    },
]


def install_for(VisaType, ChecklistItem, **firm):  # type: ignore[no-untyped-def]
    """Create the K and R visa types with their checklists (of ``firm=...`` when given) unless
    they exist. ``portal.services.firm_create`` calls this to seed every new firm."""
    for spec in VISA_TYPES:
        fields = {k: v for k, v in spec.items() if k != "items"}
        visa_type, created = VisaType.objects.get_or_create(
            code=spec["code"], **firm, defaults=fields
        )
        if not created:
            continue
        for position, item in enumerate(spec["items"], start=1):
            ChecklistItem.objects.create(visa_type=visa_type, position=position * 10, **item)


def install(apps, schema_editor):
    VisaType = apps.get_model("cases", "VisaType")
    ChecklistItem = apps.get_model("cases", "ChecklistItem")
    firm = {}
    if any(f.name == "firm" for f in VisaType._meta.get_fields()):
        # Re-run on today's schema (the tests' re-seed after a flush): visa types belong to a
        # firm since cases 0011; on the first run they get the default firm there.
        Firm = apps.get_model("portal", "Firm")
        firm["firm"], _ = Firm.objects.get_or_create(
            slug="default", defaults={"name": "Default firm"}
        )
    install_for(VisaType, ChecklistItem, **firm)


def uninstall(apps, schema_editor):
    apps.get_model("cases", "VisaType").objects.filter(code__in=["K", "R"], cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(install, uninstall)]
