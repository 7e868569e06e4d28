"""Names and figures for the posts part of the demo city (`manage.py seed_demo`).

People's names come from schools/demo_data.py. What is here makes the rest of
a member's registration look like the real thing (units, ID numbers, phones,
certificates) and gives the duty logs their weather and incidents. The ID card
numbers are made up and valid (region, birth date and check digit), so they
pass the same validation a real one does; the seed keeps only their keyed
hash and masked form, like the platform does.
"""

from __future__ import annotations

import datetime
import random

from campussafety.personal import id_check_char
from posts.choices import MemberKind, Period, Weather

# Peak windows of a post period, as Binzhou's schools publish them.
PERIOD_WINDOWS = {
    Period.MORNING: (datetime.time(7, 10), datetime.time(7, 50)),
    Period.NOON: (datetime.time(11, 40), datetime.time(12, 20)),
    Period.AFTERNOON: (datetime.time(16, 30), datetime.time(17, 20)),
    Period.EVENING: (datetime.time(18, 30), datetime.time(19, 10)),
}

# Most guards come from the state-owned company of the city or their county;
# a few schools hire a private company.
CITY_SECURITY_COMPANY = "滨州市保安服务有限公司"
PRIVATE_SECURITY_COMPANIES = (
    "滨州安泰保安服务有限公司",
    "滨州鲁北保安服务有限公司",
    "山东恒安保安服务有限公司滨州分公司",
    "滨州市金盾保安服务有限公司",
)


def district_security_company(district_name: str) -> str:
    """The county's own company: 惠民县保安服务有限公司."""
    return f"{district_name}保安服务有限公司"


# Where members' ID numbers were issued, besides their own district: other
# counties of Binzhou, the rest of Shandong, and a few from further away.
SHANDONG_REGIONS = ("370102", "370303", "370502", "370702", "371402", "371502", "371702")
OTHER_REGIONS = ("130902", "410102", "130102", "220102")

# Birth years by kind of member: within 1965–2000 for everyone.
BIRTH_YEARS = {
    MemberKind.POLICE: (1972, 2000),
    MemberKind.AUXILIARY_POLICE: (1982, 2000),
    MemberKind.SECURITY_GUARD: (1965, 1996),
    MemberKind.SCHOOL_LEADER: (1965, 1988),
    MemberKind.STAFF: (1970, 2000),
    MemberKind.COMMUNITY_WORKER: (1970, 1998),
    MemberKind.PARENT_VOLUNTEER: (1978, 1995),
}

# Mobile number prefixes of the three carriers, commonest first.
MOBILE_PREFIXES = ("13", "15", "18", "17", "19", "16", "14")
MOBILE_PREFIX_WEIGHTS = (30, 25, 25, 8, 8, 2, 2)

REJECTION_REASONS = (
    "身份证号码与本人身份证不一致，请核对后重新登记",
    "照片不清晰，无法与本人核对",
    "保安员证信息与发证机关记录不符",
    "未提供无违法犯罪记录证明",
    "非本校教职工或在校学生家长，无法核实身份",
)

# Incidents the gate notes in its log, now and then.
INCIDENTS = (
    "一辆电动三轮车在校门口违规接送学生，已劝离并登记车牌",
    "发现一名可疑人员在校门附近徘徊，经盘问系等候接孩子的家长",
    "校门东侧路段车辆拥堵约十分钟，民警现场疏导后恢复通行",
    "一名学生在校门口台阶处摔倒擦伤，校医已处置并通知家长",
    "有流动摊贩在校门口售卖零食，已劝离并通报城管部门",
    "一辆农用车在学校路口停放接学生，已联系车主挪走",
    "两名家长因停车发生口角，经民警调解后离开",
    "护学岗亭照明灯损坏，已报学校后勤维修",
    "一名低年级学生放学后未见家长接送，已联系家长接回",
    "校门口路面积水，已铺设防滑垫并引导学生绕行",
    "发现一辆无牌摩托车多次在校门口穿行，已报交警部门",
    "防护钢叉一把手柄松动，已登记待更换",
)

# Weather of a school day, by season: Binzhou is dry in winter and spring,
# wet in summer, foggy in late autumn and winter, windy in spring.
WEATHER_BY_SEASON = {
    "winter": ((Weather.SUNNY, 50), (Weather.CLOUDY, 25), (Weather.FOG, 12), (Weather.SNOW, 8)),
    "spring": ((Weather.SUNNY, 50), (Weather.CLOUDY, 25), (Weather.WIND, 15), (Weather.RAIN, 10)),
    "summer": ((Weather.SUNNY, 40), (Weather.CLOUDY, 30), (Weather.RAIN, 30)),
    "autumn": ((Weather.SUNNY, 55), (Weather.CLOUDY, 25), (Weather.FOG, 10), (Weather.RAIN, 10)),
}


def season(day: datetime.date) -> str:
    if day.month in (12, 1, 2):
        return "winter"
    if day.month in (3, 4, 5):
        return "spring"
    return "summer" if day.month <= 8 else "autumn"


def weather(rng: random.Random, day: datetime.date) -> str:
    choices = WEATHER_BY_SEASON[season(day)]
    return rng.choices([w for w, _ in choices], [weight for _, weight in choices])[0]


def id_number(rng: random.Random, region: str, birth_years: tuple[int, int]) -> str:
    """A valid 18-character ID card number: region, birth date, sequence, check digit.

    The caller hashes and masks it at once and keeps neither it nor a list of them.
    """
    born = datetime.date(rng.randint(*birth_years), 1, 1) + datetime.timedelta(
        days=rng.randrange(365)
    )
    first17 = f"{region}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + id_check_char(first17)


def id_region(rng: random.Random, home_region: str, district_codes: tuple[str, ...]) -> str:
    """Most members were born in the district they serve."""
    draw = rng.random()
    if draw < 0.72:
        return home_region
    if draw < 0.87:
        return rng.choice(district_codes)
    if draw < 0.96:
        return rng.choice(SHANDONG_REGIONS)
    return rng.choice(OTHER_REGIONS)


def mobile(rng: random.Random) -> str:
    prefix = rng.choices(MOBILE_PREFIXES, MOBILE_PREFIX_WEIGHTS)[0]
    third = rng.choice("0123456789" if prefix in ("13", "15", "18") else "356789")
    return f"{prefix}{third}{rng.randint(0, 99999999):08d}"


def police_number(rng: random.Random) -> str:
    """A police officer's 6-digit 警号."""
    return f"{rng.randint(10000, 999999):06d}"


def guard_certificate_number(rng: random.Random, district_code: str, issued: int) -> str:
    """The number on a 保安员证: the issuing county, the year, a serial (15 digits)."""
    return f"{district_code}{issued}{rng.randint(1, 99999):05d}"
