"""Default explanation templates of each criterion type, in English and Chinese; a criterion's
own ``explain`` in the rule set overrides them. Placeholders (``{age}``, ``{min}``...) are
filled from the criterion's result ``params``; a template whose placeholder has no value gives
the neutral ``FALLBACK_EXPLAIN`` sentence of the result instead."""

from __future__ import annotations

# Default explanation templates per criterion type; a criterion's own ``explain`` overrides them.
DEFAULT_EXPLAIN: dict[str, dict[str, dict[str, str]]] = {
    "min_age": {
        "pass": {
            "en": "Age {age} on {date} is at least {min}.",
            "zh": "{date}时年龄为{age}岁，不低于{min}岁。",
        },
        "fail": {
            "en": "Age {age} on {date} is below the minimum of {min}.",
            "zh": "{date}时年龄为{age}岁，低于最低要求{min}岁。",
        },
        "unknown": {"en": "The date of birth is missing.", "zh": "缺少出生日期。"},
    },
    "max_age": {
        "pass": {
            "en": "Age {age} on {date} is at most {max}.",
            "zh": "{date}时年龄为{age}岁，不超过{max}岁。",
        },
        "fail": {
            "en": "Age {age} on {date} is above the maximum of {max}.",
            "zh": "{date}时年龄为{age}岁，超过上限{max}岁。",
        },
        "unknown": {"en": "The date of birth is missing.", "zh": "缺少出生日期。"},
    },
    "min_degree_level": {
        "pass": {
            "en": "A {best_en} meets the minimum, a {min_en} or higher.",
            "zh": "{best_zh}达到最低要求（{min_zh}或以上）。",
        },
        "fail": {
            "en": "No degree is a {min_en} or higher.",
            "zh": "没有{min_zh}或以上的学位。",
        },
        "unknown": {
            "en": "The level of a degree is missing.",
            "zh": "缺少学位层次信息。",
        },
    },
    "field_of_study": {
        "pass": {
            "en": "The field of study “{field_en}” is one of the accepted fields.",
            "zh": "专业领域“{field_zh}”属于认可范围。",
        },
        "fail": {
            "en": "No degree is in one of the accepted fields of study.",
            "zh": "没有属于认可专业领域的学位。",
        },
        "unknown": {"en": "The field of a degree is missing.", "zh": "缺少学位的专业领域。"},
    },
    "institution_recognized": {
        "pass": {
            "en": "The degree is from a recognized university or research institution.",
            "zh": "学位来自认可的大学或科研机构。",
        },
        "fail": {
            "en": "The institution is not on the recognized list.",
            "zh": "该院校不在认可名单内。",
        },
        "unknown": {
            "en": "The institution of a degree is not in our list yet; an advisor must check it.",
            "zh": "学位院校尚未收录，需由顾问核实。",
        },
    },
    "experience_years": {
        "pass": {
            "en": "{years} years of qualifying experience (at least {min} needed).",
            "zh": "符合条件的工作经历{years}年（至少需要{min}年）。",
        },
        "fail": {
            "en": "{years} years of qualifying experience; at least {min} needed.",
            "zh": "符合条件的工作经历为{years}年，至少需要{min}年。",
        },
        "unknown": {
            "en": "Some work history details are missing.",
            "zh": "部分工作经历信息缺失。",
        },
    },
    # experience_years with min_years 0: one qualifying job is enough, no length required.
    "experience_any": {
        "pass": {
            "en": "Qualifying experience is on record ({years} years so far).",
            "zh": "已有符合条件的工作经历（目前共{years}年）。",
        },
        "fail": {
            "en": "No job on record is qualifying teaching or research experience.",
            "zh": "现有工作经历中没有符合条件的教学或科研工作。",
        },
        "unknown": {
            "en": "Some work history details are missing.",
            "zh": "部分工作经历信息缺失。",
        },
    },
    "passport_valid_months": {
        "pass": {
            "en": "The passport is valid until {expiry}, at least {months} months after {date}.",
            "zh": "护照有效期至{expiry}，在{date}之后至少还有{months}个月。",
        },
        "fail": {
            "en": "The passport expires on {expiry}, less than {months} months after {date}.",
            "zh": "护照于{expiry}到期，距{date}不足{months}个月。",
        },
        "unknown": {"en": "The passport expiry date is missing.", "zh": "缺少护照有效期。"},
    },
    "has_document": {
        "pass": {"en": "“{document}” has been accepted.", "zh": "“{document}”已被接受。"},
        "fail": {
            "en": "“{document}” was waived for this case.",
            "zh": "本案已免除“{document}”。",
        },
        "unknown": {
            "en": "“{document}” has not been accepted yet.",
            "zh": "“{document}”尚未被接受。",
        },
    },
    "advisor_confirms": {
        "pass": {"en": "The advisor confirmed this.", "zh": "顾问已确认。"},
        "fail": {"en": "The advisor answered no.", "zh": "顾问的回答为否。"},
        "unknown": {
            "en": "The advisor has not answered this yet.",
            "zh": "顾问尚未回答此问题。",
        },
    },
    "all_of": {
        "pass": {"en": "Every condition is met.", "zh": "所有条件均满足。"},
        "fail": {"en": "A required condition is not met.", "zh": "有必要条件未满足。"},
        "unknown": {"en": "Some information is missing.", "zh": "部分信息缺失。"},
    },
    "any_of": {
        "pass": {"en": "At least one route is met.", "zh": "至少满足一种途径。"},
        "fail": {"en": "No route is met.", "zh": "没有满足任何途径。"},
        "unknown": {"en": "Some information is missing.", "zh": "部分信息缺失。"},
    },
    "same_degree": {
        "pass": {
            "en": "One degree meets all these conditions together.",
            "zh": "有一个学位同时满足这些条件。",
        },
        "fail": {
            "en": "No single degree meets all these conditions together.",
            "zh": "没有一个学位同时满足这些条件。",
        },
        "unknown": {
            "en": "Some details of a degree are missing.",
            "zh": "学位信息不完整。",
        },
    },
}


# Used instead of a template whose placeholder has no value (None, empty or not in the params),
# so an explanation never shows a blank, "None" or a raw "{placeholder}".
FALLBACK_EXPLAIN: dict[str, dict[str, str]] = {
    "pass": {"en": "This condition is met.", "zh": "该条件已满足。"},
    "fail": {"en": "This condition is not met.", "zh": "该条件未满足。"},
    "unknown": {"en": "Some information is missing.", "zh": "部分信息缺失。"},
}
