"""The national equipment catalogue and default kit standard (../shared/CHECKS.md §5).

National rows (no city): city staff replace the standard for their city, and
districts add lines to it. The data is frozen here on purpose: later changes
to defaults are new migrations.
"""

from django.db import migrations

GA_95 = "GA 95-2015 灭火器维修 / extinguisher service and scrapping"
GB_50444 = "GB 50444-2008 §5.2 灭火器每月检查 / monthly extinguisher check"
GB_50140 = "GB 50140-2005 §6.1.1 一个计算单元内灭火器不少于2具 / at least 2 per unit"
ORDER_61 = "公安部令第61号 第26条 消防设施检查 / fire facilities checked"
CHENGDU_KIT = (
    "成都市中小学幼儿园安保器材“九件套”：钢叉、防刺服、防割手套、头盔、盾牌、橡胶警棍、"
    "催泪/辣椒喷射器、强光手电、对讲机；无全国统一清单，各地清单一致 / Chengdu's nine-piece "
    "guard kit; no national list, local lists agree"
)
HANDOVER = "交接班时清点装备，丢失书面报告 / kit checked at every shift handover"
GATEHOUSE = (
    "门卫室设一键报警（联网公安）、视频监控、广播；主校门设防冲撞设施 / gatehouse: one-key "
    "alarm linked to police, video, public address; anti-ramming barriers at the main gate: "
    "GB/T 29315-2022; 中小学幼儿园安全防范建设三年行动计划（2019–2021）"
)
ALARM = "一键报警每月或每季度测试（各地规定不同） / one-key alarm tested monthly or quarterly"
VIDEO = "GB/T 29315-2012 录像保存≥30天，每月抽查为建议值 / video kept ≥30 days"
PROPOSED = "建议值 / proposed"

# (code, name, category, serialised, checked at handover, check days,
#  first service years, service every years, scrap years, source)
TYPES = [
    ("steel-fork", "钢叉 / Steel fork", "defence_tool", False, True, None, None, None, None,
     f"{CHENGDU_KIT}; {HANDOVER}"),
    ("rubber-baton", "橡胶警棍 / Rubber baton", "defence_tool", False, True, None, None, None,
     None, f"{CHENGDU_KIT}; {HANDOVER}"),
    ("shield", "盾牌 / Shield", "defence_tool", False, True, None, None, None, None,
     f"{CHENGDU_KIT}; {HANDOVER}"),
    ("pepper-spray", "催泪/辣椒喷射器 / Tear-gas or pepper spray", "defence_tool", False, True,
     None, None, None, None, f"{CHENGDU_KIT}; {HANDOVER}"),
    ("stab-vest", "防刺服 / Stab vest", "personal_protection", False, True, None, None, None,
     None, f"{CHENGDU_KIT}; {HANDOVER}"),
    ("cut-gloves", "防割手套 / Cut-resistant gloves", "personal_protection", False, True, None,
     None, None, None, f"{CHENGDU_KIT}; {HANDOVER}"),
    ("helmet", "头盔 / Helmet", "personal_protection", False, True, None, None, None, None,
     f"{CHENGDU_KIT}; {HANDOVER}"),
    ("radio", "对讲机 / Radio", "communication_light", True, True, None, None, None, None,
     f"{CHENGDU_KIT}; {HANDOVER}"),
    ("torch", "强光手电 / Torch", "communication_light", False, True, None, None, None, None,
     f"{CHENGDU_KIT}; {HANDOVER}"),
    ("extinguisher-dry-powder", "干粉灭火器 / Dry-powder extinguisher", "fire", True, False, 30,
     3, 2, 10, f"{GA_95}: 出厂满3年首次维修，此后每2年，10年报废 / first service after 3 years, "
     f"then every 2, scrapped at 10; {GB_50444}"),
    ("extinguisher-water", "水基型灭火器 / Water-based extinguisher", "fire", True, False, 30,
     2, 1, 6, f"{GA_95}: 出厂满2年首次维修，此后每年，6年报废 / first service after 2 years, "
     f"then yearly, scrapped at 6; {GB_50444}"),
    ("extinguisher-co2", "二氧化碳灭火器 / CO2 extinguisher", "fire", True, False, 30, 3, 2, 12,
     f"{GA_95}: 出厂满3年首次维修，此后每2年，12年报废 / first service after 3 years, then "
     f"every 2, scrapped at 12; {GB_50444}"),
    ("extinguisher-clean-agent", "洁净气体灭火器 / Clean-agent extinguisher", "fire", True, False,
     30, 3, 2, 10, f"{GA_95}: 出厂满3年首次维修，此后每2年，10年报废 / first service after 3 "
     f"years, then every 2, scrapped at 10; {GB_50444}"),
    ("hydrant", "室内消火栓 / Indoor hydrant", "fire", True, False, 30, None, None, None,
     f"{ORDER_61}; 每月检查为建议值 / monthly check proposed"),
    ("emergency-light", "应急照明灯 / Emergency light", "fire", True, False, 30, None, None, None,
     f"{ORDER_61}; 每日防火巡查 / daily fire patrol"),
    ("exit-sign", "疏散指示标志 / Exit sign", "fire", True, False, 30, None, None, None,
     f"{ORDER_61}; 每日防火巡查 / daily fire patrol"),
    ("one-key-alarm", "一键报警装置 / One-key alarm", "technical_defence", True, False, 30, None,
     None, None, f"{GATEHOUSE}; {ALARM}"),
    ("video-camera", "视频监控摄像机 / Video camera", "technical_defence", True, False, 30, None,
     None, None, VIDEO),
    ("video-recorder", "硬盘录像机 / Video recorder", "technical_defence", True, False, 30, None,
     None, None, f"{GATEHOUSE}; {VIDEO}"),
    ("public-address", "广播系统 / Public address", "technical_defence", True, False, None, None,
     None, None, GATEHOUSE),
    ("access-control", "门禁系统 / Access control", "technical_defence", True, False, None, None,
     None, None, "GB/T 29315-2022"),
    ("anti-ramming-barrier", "防冲撞设施（隔离墩/升降柱） / Anti-ramming barrier",
     "physical_defence", False, False, None, None, None, None, GATEHOUSE),
    ("gate", "校门（电动门） / Gate", "physical_defence", True, False, None, None, None, None,
     "封闭化管理 / closed campus: 中小学幼儿园安全防范建设三年行动计划（2019–2021）"),
]

NINE_PIECES = [
    "steel-fork", "stab-vest", "cut-gloves", "helmet", "shield", "rubber-baton", "pepper-spray",
    "torch", "radio",
]
PERSONAL = ["stab-vest", "cut-gloves", "helmet", "rubber-baton", "radio"]

# (location kind, type code, quantity, size bands, source)
LINES = [
    *(("gatehouse", code, 1, [], CHENGDU_KIT) for code in NINE_PIECES),
    # Large schools (CHECKS.md §5 bands) keep a second fork and shield at the gatehouse.
    ("gatehouse", "steel-fork", 1, ["large"], f"{CHENGDU_KIT}; 按规模加配为{PROPOSED}"),
    ("gatehouse", "shield", 1, ["large"], f"{CHENGDU_KIT}; 按规模加配为{PROPOSED}"),
    ("gatehouse", "one-key-alarm", 1, [], GATEHOUSE),
    ("gatehouse", "video-recorder", 1, [], GATEHOUSE),
    ("gatehouse", "public-address", 1, [], GATEHOUSE),
    *(("protection_booth", code, 1, [], CHENGDU_KIT) for code in NINE_PIECES),
    *(("guard", code, 1, [], f"{CHENGDU_KIT}; 个人防护随身为{PROPOSED}") for code in PERSONAL),
    ("police_room", "one-key-alarm", 1, [], f"{GATEHOUSE}; {PROPOSED}"),
    ("police_room", "radio", 1, [], PROPOSED),
    ("floor", "extinguisher-dry-powder", 2, [], GB_50140),
]


def create_defaults(apps, schema_editor):
    EquipmentType = apps.get_model("equipment", "EquipmentType")
    KitStandard = apps.get_model("equipment", "KitStandard")
    KitLine = apps.get_model("equipment", "KitLine")
    types = {}
    for code, name, category, serialised, handover, days, first, every, scrap, source in TYPES:
        types[code] = EquipmentType.objects.create(
            code=code,
            name=name,
            category=category,
            is_serialised=serialised,
            checked_at_handover=handover,
            check_interval_days=days,
            first_service_years=first,
            service_every_years=every,
            scrap_years=scrap,
            source=source,
        )
    standard = KitStandard.objects.create(
        name="全国默认安防器材配备标准（以成都九件套为例） / National default kit standard",
        source=f"{CHENGDU_KIT}; {GATEHOUSE}; {GB_50140}",
    )
    KitLine.objects.bulk_create(
        KitLine(
            standard=standard,
            equipment_type=types[code],
            location_kind=kind,
            quantity=quantity,
            size_bands=bands,
            source=source[:300],
        )
        for kind, code, quantity, bands, source in LINES
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("equipment", "KitStandard").objects.filter(
        city__isnull=True, district__isnull=True
    ).delete()
    apps.get_model("equipment", "EquipmentType").objects.filter(
        code__in=[entry[0] for entry in TYPES], city__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("equipment", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
