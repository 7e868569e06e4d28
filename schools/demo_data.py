"""Names and figures for the demo organisation (`manage.py seed_demo`).

The city is Binzhou (滨州市), Shandong: its seven county-level divisions with
their administrative division codes, their sub-districts (街道), towns (镇) and
townships (乡). Police stations are named after the town they serve, as
Binzhou's are. Everything else (villages, roads, people) is made up from the
lists below so that names look like the real thing without naming real people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from schools.choices import SchoolType

CITY_NAME = "滨州市"
CITY_CODE = "371600"
# Binzhou's municipal government, at the centre of 滨城区.
CITY_CENTRE = (37.383, 117.971)
# The city's telephone area code; police stations publish 7-digit duty lines.
AREA_CODE = "0543"


@dataclass(frozen=True)
class DistrictData:
    name: str
    code: str
    centre: tuple[float, float]
    # Who the legal vice-presidents from the police work for: a district of
    # the city has a branch of the city's bureau, a county its own bureau.
    police_bureau: str
    # A share of the city's schools, roughly by population.
    weight: int
    towns: tuple[str, ...]
    roads: tuple[str, ...]


def numeral(number: int) -> str:
    """Chinese numerals from 1 to 99, as used in school and road names (第十二中学)."""
    digits = "零一二三四五六七八九"
    if not 1 <= number <= 99:
        raise ValueError(f"{number} is outside 1..99")
    tens, ones = divmod(number, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def words(text: str) -> tuple[str, ...]:
    """A tuple of the space-separated words of `text`: long name lists stay readable."""
    return tuple(text.split())


def numbered_roads(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{numeral(n)}路" for n in range(1, count + 1))


# Roads every county town has some of.
COMMON_ROADS = words(
    "人民路 建设路 文化路 新华路 胜利路 育才路 迎宾路 工业路 振兴路 府前街 中心大街 幸福路 学府路 "
    "商业街"
)

DISTRICTS = (
    DistrictData(
        name="滨城区",
        code="371602",
        centre=(37.383, 117.971),
        police_bureau="滨州市公安局滨城分局",
        weight=22,
        towns=words(
            "市中街道 市东街道 市西街道 北镇街道 彭李街道 滨北街道 梁才街道 杜店街道 沙河街道 "
            "里则街道 小营街道 三河湖镇 杨柳雪镇 秦皇台乡"
        ),
        # Binzhou's grid: 黄河 roads run east-west, 渤海 roads north-south.
        roads=numbered_roads("黄河", 18) + numbered_roads("渤海", 24) + numbered_roads("长江", 6),
    ),
    DistrictData(
        name="沾化区",
        code="371603",
        centre=(37.699, 118.132),
        police_bureau="滨州市公安局沾化分局",
        weight=10,
        towns=words(
            "富国街道 富源街道 下洼镇 古城镇 冯家镇 泊头镇 大高镇 黄升镇 滨海镇 下河乡 利国乡"
        ),
        roads=("富国路", "富源路", "金海路", "恒业路", *COMMON_ROADS),
    ),
    DistrictData(
        name="惠民县",
        code="371621",
        centre=(37.490, 117.509),
        police_bureau="惠民县公安局",
        weight=15,
        towns=words(
            "孙武街道 武定府街道 何坊街道 石庙镇 桑落墅镇 淄角镇 胡集镇 李庄镇 麻店镇 魏集镇 "
            "清河镇 姜楼镇 辛店镇 大年陈镇 皂户李镇"
        ),
        roads=("孙武路", "鼓楼街", "武定府路", "乐安大街", *COMMON_ROADS),
    ),
    DistrictData(
        name="阳信县",
        code="371622",
        centre=(37.641, 117.578),
        police_bureau="阳信县公安局",
        weight=10,
        towns=words(
            "信城街道 金阳街道 商店镇 温店镇 河流镇 翟王镇 流坡坞镇 水落坡镇 劳店镇 洋湖乡"
        ),
        roads=("阳城路", "信城路", "金阳路", "梨乡大街", *COMMON_ROADS),
    ),
    DistrictData(
        name="无棣县",
        code="371623",
        centre=(37.770, 117.625),
        police_bureau="无棣县公安局",
        weight=12,
        towns=words(
            "棣丰街道 海丰街道 水湾镇 碣石山镇 小泊头镇 埕口镇 马山子镇 车王镇 柳堡镇 佘家镇 "
            "信阳镇 西小王镇"
        ),
        roads=("棣新路", "海丰大街", "碣石山路", "古城路", *COMMON_ROADS),
    ),
    DistrictData(
        name="博兴县",
        code="371625",
        centre=(37.150, 118.110),
        police_bureau="博兴县公安局",
        weight=13,
        towns=words(
            "城东街道 锦秋街道 博昌街道 曹王镇 兴福镇 陈户镇 湖滨镇 店子镇 吕艺镇 纯化镇 庞家镇 "
            "乔庄镇"
        ),
        roads=("博城路", "博昌路", "锦秋路", "新博路", *COMMON_ROADS),
    ),
    DistrictData(
        name="邹平市",
        code="371681",
        centre=(36.863, 117.743),
        police_bureau="邹平市公安局",
        weight=18,
        towns=words(
            "黛溪街道 黄山街道 高新街道 好生街道 西董街道 长山镇 魏桥镇 临池镇 焦桥镇 韩店镇 孙镇 "
            "九户镇 青阳镇 明集镇 台子镇 码头镇"
        ),
        roads=("黛溪路", "鹤伴路", "会仙路", "醴泉路", "黄山路", "长山路", *COMMON_ROADS),
    ),
)


def is_urban(town: str) -> bool:
    """Sub-districts (街道) are the urban part of a district; towns and townships are rural."""
    return town.endswith("街道")


def town_short(town: str) -> str:
    """The name a town goes by in school and station names: 北镇街道 -> 北镇, 孙镇 stays."""
    for suffix in ("街道", "镇", "乡"):
        if town.endswith(suffix) and len(town) - len(suffix) >= 2:
            return town[: -len(suffix)]
    return town


# Surnames common in Shandong, the most common listed more than once so that
# a random draw has roughly the real mix.
SURNAMES = (
    "王王王王张张张张李李李李刘刘刘陈陈杨杨赵赵孙孙徐徐马马高高于于董董郭朱宋韩魏周田吴崔任孟石"
    "程姜许邢范尹杜曹贾邵薛付侯冯孔耿袁商牛郝毛盖逯"
)
GIVEN_NAMES_ONE = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚斌鹏华飞红梅岩峰辉宁颖琳")
GIVEN_NAMES_TWO = words(
    "建军 志刚 海涛 立新 红霞 丽娟 晓燕 卫东 振华 国栋 宏伟 文斌 春雷 学军 玉珍 "
    "秀梅 庆伟 爱华 永强 金凤 建国 志强 海燕 红梅 晓东 国庆 春燕 玉兰 新民 德胜 "
    "俊杰 建华 淑珍 凤英 立军 明亮 雪梅 文静 晓丽 洪涛"
)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_NAMES_TWO) if rng.random() < 0.6 else rng.choice(GIVEN_NAMES_ONE)
    return rng.choice(SURNAMES) + given


# Villages are mostly named after a family: 王家庄, 刘集, 李家楼.
VILLAGE_SUFFIXES = ("家庄", "家村", "集", "店", "家楼", "家洼", "家口", "庄", "屯", "官庄", "家坊")


def village_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(VILLAGE_SUFFIXES)


# Names private kindergartens like to take.
KINDERGARTEN_BRANDS = words(
    "金太阳 小天使 蓝天 育英 博雅 阳光 启明星 童心 智慧树 七色花 春蕾 贝贝 苗苗 新星"
)

# Residential quarters and new towns that urban schools are named after.
NEIGHBOURHOODS = words(
    "清怡 英才 育才 东城 西城 北城 南城 新立 颐园 翰林 文汇 锦绣 御园 碧水 阳光 "
    "明德 崇文 尚德 启航 博文 丰泽 和美 德润 春晖 沁园 康乐 龙湖 金城 华苑 凤凰 "
    "滨河 新华 光明 兴华 嘉和 福苑 瑞景 怡景 绿洲 书香 新城 盛世 东方 滨湖 星湖 "
    "梨园 秀水 丽景 长安 开元"
)

# What vocational schools train for: 滨城区卫生职业学校.
VOCATIONAL_TRADES = words("卫生 交通 商业 工业 农业 艺术 财经 信息工程 机电 化工 建筑 旅游")

# Well-known senior schools, used before numbered ones are made up.
SENIOR_SCHOOLS = {
    "滨城区": ("北镇中学", "滨州市第一中学", "滨州市实验中学"),
    "沾化区": ("沾化区第一中学", "沾化区第二中学"),
    "惠民县": ("惠民县第一中学", "惠民县第二中学"),
    "阳信县": ("阳信县第一中学", "阳信县第二高级中学"),
    "无棣县": ("无棣县第一中学", "无棣县第二中学"),
    "博兴县": ("博兴县第一中学", "博兴县第二中学"),
    "邹平市": ("邹平市第一中学", "邹平市长山中学", "邹平市黄山中学"),
}


@dataclass(frozen=True)
class TypeProfile:
    """How a kind of school looks: how common, how big, how staffed, whether it boards."""

    weight: float
    # Pupils in a town (rural) and in a sub-district (urban).
    rural_enrolment: tuple[int, int]
    urban_enrolment: tuple[int, int]
    pupils_per_staff: float
    boarding_share: float
    # Found only in the urban sub-districts (county seats).
    urban_only: bool = False


TYPE_PROFILES = {
    SchoolType.KINDERGARTEN: TypeProfile(35, (40, 260), (150, 520), 7.5, 0.0),
    SchoolType.PRIMARY: TypeProfile(40, (60, 700), (800, 3200), 17, 0.05),
    SchoolType.JUNIOR_SECONDARY: TypeProfile(10, (300, 1500), (900, 2800), 12.5, 0.5),
    SchoolType.SENIOR_SECONDARY: TypeProfile(4, (1500, 3500), (2000, 4800), 12.5, 0.9, True),
    SchoolType.NINE_YEAR: TypeProfile(5, (300, 1600), (1200, 3000), 14, 0.3),
    SchoolType.COMPLETE_SECONDARY: TypeProfile(2, (900, 2500), (1500, 3500), 12.5, 0.8, True),
    SchoolType.VOCATIONAL: TypeProfile(3, (800, 3000), (1500, 6000), 18, 0.7, True),
    SchoolType.SPECIAL_EDUCATION: TypeProfile(1, (40, 160), (80, 260), 3.2, 0.4, True),
}

# Gates face a street; the main one usually faces south.
MAIN_GATES = (("南门", 6), ("东门", 2), ("北门", 1), ("西门", 1))
OTHER_GATES = ("北门", "东门", "西门", "南门", "东北门", "西南门")
PICKUP_POINTS = words("东侧接送点 西侧接送点 南侧接送点 北侧接送点 校门口接送区 家长等候区")

# Weather warnings that close schools, by season, for the demo closures.
WEATHER_WARNINGS = {
    "winter": "暴雪橙色预警",
    "spring": "沙尘暴黄色预警",
    "summer": "暴雨红色预警",
    "autumn": "大雾红色预警",
}
# The coast of 无棣县 gets gales that the rest of the city does not.
COASTAL_WARNING = "大风橙色预警"
SCHOOL_CLOSURES = words(
    "教学楼消防设施检修，停课一天 校舍安全鉴定，停课一天 校园供暖管道抢修，停课一天"
)
