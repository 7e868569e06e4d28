"""The national default checklists and the obligations that schedule them (../shared/CHECKS.md §2, §8).

National rows (no city): city staff replace one for their city by a rule or
template with the same code, and override per district or school. The data is
frozen here on purpose: later changes to defaults are new migrations.
"""

import datetime

from django.db import migrations

H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

BEIJING_2018 = "北京市平安校园建设标准（2018） / Beijing safe-campus standard 2018"
GB_29315_2022 = "GB/T 29315-2022 中小学、幼儿园安全技术防范系统要求（摘要）"
ORDER_61_ART_25 = "公安部令第61号《机关、团体、企业、事业单位消防安全管理规定》第25条"
ORDER_61_ART_26 = "公安部令第61号 第26条"
FIRE_OPINION_2015 = "教育部 公安部关于加强中小学幼儿园消防安全管理工作的意见（2015）"

# (code, name, basis, slots, count, grace, rule options, checkpoint kinds, source,
#  template: (is_scored, description, items)); item: (text, answer type, options).
DEFAULTS = [
    (
        "security-patrol",
        "重点部位安全巡查 / Security patrol of key parts",
        "school_day",
        "07:00-08:30, 09:30-11:30, 12:00-13:30, 14:30-16:30, 17:00-19:00",
        1,
        H / 2,
        {},
        ["key_part", "gate", "booth"],
        f"每日不少于5次巡查，上下学时段加强 / at least 5 a day, extra at arrival and "
        f"dismissal: {GB_29315_2022}; {BEIJING_2018}",
        (
            False,
            "",
            [
                ("门窗、锁具完好 / Doors, windows and locks intact", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "security"}),
                ("无可疑人员、可疑物品 / No suspicious people or objects", "pass_fail",
                 {"hazard_category": "security", "hazard_level": "serious"}),
                ("监控摄像头工作正常 / Cameras working", "pass_fail",
                 {"hazard_category": "technical_defence"}),
                ("照明正常 / Lighting working", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "electrical"}),
            ],
        ),
    ),
    (
        "gate-check",
        "校门值守检查 / Gate check",
        "day",
        "",
        1,
        2 * H,
        {},
        ["gate"],
        f"门卫24小时值守 / gate staffed 24 h: {GB_29315_2022}; {BEIJING_2018}",
        (
            False,
            "",
            [
                ("门卫在岗 / Gatekeeper on duty", "pass_fail",
                 {"hazard_category": "security", "hazard_level": "serious"}),
                ("外来人员、车辆已登记 / Visitors and vehicles registered", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "security"}),
                ("防卫装备齐全（钢叉、防刺服、头盔、盾牌等） / Guard kit complete", "pass_fail",
                 {"hazard_category": "security"}),
                ("防冲撞设施就位（隔离墩/升降柱） / Anti-ramming barriers in place", "pass_fail",
                 {"hazard_category": "security"}),
            ],
        ),
    ),
    (
        "dormitory-night-patrol",
        "宿舍夜间巡查 / Dormitory night patrol",
        "boarding_night",
        "20:00-06:00",
        2,
        H,
        {"boarding": "only"},
        ["dormitory"],
        f"寄宿制学校每晚不少于2次，夜间至少1名保安值守 / at least 2 a night: {BEIJING_2018}; "
        f"{FIRE_OPINION_2015}",
        (
            False,
            "",
            [
                ("宿管人员在岗 / Dormitory manager on duty", "pass_fail",
                 {"hazard_category": "dormitory", "hazard_level": "serious"}),
                ("在寝学生人数 / Boarders present", "number", {"min_value": 0, "unit": "人",
                 "hazard_category": "dormitory"}),
                ("疏散通道、安全出口畅通 / Routes and exits clear", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "fire"}),
                ("无违规用电、明火 / No unsafe electricity or open flames", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "electrical"}),
            ],
        ),
    ),
    (
        "fire-patrol",
        "每日防火巡查 / Daily fire patrol",
        "day",
        "",
        1,
        2 * H,
        {},
        ["fire_point"],
        f"每日防火巡查；重点部位使用期间每2小时一次 / daily; key places every 2 h while in "
        f"use: {ORDER_61_ART_25}; {FIRE_OPINION_2015}",
        (
            False,
            "记录巡查人员、时间、部位、内容、发现的问题及处理情况，巡查人和负责人签名。",
            [
                ("用火、用电无违章 / Fire and electricity used safely", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "electrical"}),
                ("安全出口、疏散通道畅通 / Exits and escape routes clear", "pass_fail",
                 {"correctable_on_spot": True, "hazard_category": "fire"}),
                ("疏散指示标志、应急照明完好 / Exit signs and emergency lights working",
                 "pass_fail", {"hazard_category": "fire"}),
                ("灭火器材、消防安全标志在位完好 / Extinguishers and fire signs in place",
                 "pass_fail", {"correctable_on_spot": True, "hazard_category": "fire"}),
                ("常闭式防火门关闭，防火卷帘下无堆放 / Fire doors closed, nothing under "
                 "shutters", "pass_fail", {"correctable_on_spot": True,
                                           "hazard_category": "fire"}),
                ("消防安全重点部位人员在岗 / Staff at key fire posts present", "pass_fail",
                 {"hazard_category": "fire"}),
            ],
        ),
    ),
    (
        "fire-check",
        "月度防火检查 / Monthly fire check",
        "month",
        "",
        1,
        3 * DAY,
        {},
        ["fire_point", "building"],
        f"法定下限：事业单位至少每季度一次；学校通常每月一次，默认每月 / legal floor "
        f"quarterly for public institutions, monthly by default: {ORDER_61_ART_26}",
        (
            False,
            "",
            [
                ("消防设施器材完好有效 / Fire facilities and equipment effective", "pass_fail",
                 {"hazard_category": "fire"}),
                ("灭火器压力在绿区、在有效期内 / Extinguisher gauges green, in date",
                 "pass_fail", {"hazard_category": "fire",
                               "source": "GB 50444-2008 §5.2"}),
                ("检查灭火器数量 / Extinguishers checked", "number",
                 {"min_value": 0, "unit": "具", "hazard_category": "fire"}),
                ("电气线路、设备无隐患 / Wiring and appliances safe", "pass_fail",
                 {"hazard_category": "electrical"}),
                ("以往火灾隐患已整改 / Earlier fire hazards rectified", "pass_fail",
                 {"hazard_category": "fire", "hazard_level": "serious"}),
                ("消防安全重点部位管理 / Key fire places managed", "text",
                 {"hazard_category": "fire"}),
            ],
        ),
    ),
    (
        "video-spot-check",
        "视频监控抽查 / Video spot-check",
        "month",
        "",
        1,
        3 * DAY,
        {"even_without_school_days": True},
        ["monitoring_room"],
        "录像保存不少于30天，故障24小时内修复；每月抽查为建议值 / video kept ≥30 days, "
        "faults fixed within 24 h; monthly check proposed: GB/T 29315-2012",
        (
            False,
            "",
            [
                ("录像保存天数 / Days of recordings kept", "number",
                 {"min_value": 30, "unit": "天", "hazard_category": "technical_defence"}),
                ("摄像机全部在线 / All cameras online", "pass_fail",
                 {"hazard_category": "technical_defence"}),
                ("回放画面清晰（截图） / Playback clear (screenshot)", "photo",
                 {"hazard_category": "technical_defence"}),
                ("上次故障24小时内修复 / Last fault fixed within 24 h", "pass_fail",
                 {"hazard_category": "technical_defence"}),
            ],
        ),
    ),
    (
        "perimeter-inspection",
        "校园周界及周边检查（会同派出所） / Perimeter inspection with the police",
        "month",
        "",
        1,
        7 * DAY,
        {},
        ["perimeter", "gate"],
        "封闭化管理；频次为建议值 / closed campus; frequency proposed: 中小学幼儿园安全防范"
        "建设三年行动计划（2019–2021）",
        (
            False,
            "",
            [
                ("围墙、护栏完好，无攀爬痕迹 / Walls and fences intact, no climbing marks",
                 "pass_fail", {"hazard_category": "perimeter", "hazard_level": "serious"}),
                ("校门封闭管理 / Gates closed and controlled", "pass_fail",
                 {"hazard_category": "perimeter"}),
                ("周边无违规摊点、可疑聚集 / No illegal stalls or suspicious groups nearby",
                 "pass_fail", {"hazard_category": "perimeter"}),
                ("周边照明、交通设施完好 / Street lights and traffic facilities working",
                 "photo", {"hazard_category": "perimeter"}),
            ],
        ),
    ),
    (
        "alarm-test",
        "一键报警测试 / One-key alarm test",
        "month",
        "",
        1,
        3 * DAY,
        {},
        ["gate"],
        "各地每月或每季度（义乌每季度、镇江每月），测试前告知派出所 / monthly or quarterly "
        "by local rule (Yiwu quarterly, Zhenjiang monthly); police told beforehand",
        (
            False,
            "",
            [
                ("已事先告知派出所 / Police station told beforehand", "pass_fail",
                 {"hazard_category": "technical_defence"}),
                ("报警接通、公安确认 / Alarm reached the police and was acknowledged",
                 "pass_fail", {"hazard_category": "technical_defence", "hazard_level": "serious"}),
                ("民警到达用时 / Minutes until police arrived", "number",
                 {"min_value": 0, "unit": "分钟", "hazard_category": "technical_defence"}),
            ],
        ),
    ),
    (
        "building-sweep",
        "校舍安全排查 / Term building sweep",
        "term",
        "",
        1,
        14 * DAY,
        {},
        ["building"],
        "每学期不少于一次，谁检查、谁签字、谁负责 / at least once a term; who checks, signs "
        "and answers: local bureau rules",
        (
            False,
            "",
            [
                ("结构无裂缝、沉降、变形 / No cracks, settlement or deformation", "photo",
                 {"hazard_category": "building", "hazard_level": "major"}),
                ("屋面、外墙、吊顶无脱落 / Roofs, facades and ceilings secure", "pass_fail",
                 {"hazard_category": "building", "hazard_level": "serious"}),
                ("栏杆牢固、高度达标 / Railings firm and high enough", "pass_fail",
                 {"hazard_category": "building"}),
                ("检查人签字 / Inspector's signature", "text", {"hazard_category": "building"}),
            ],
        ),
    ),
    (
        "supervision-visit",
        "安全专项督导 / Bureau supervision visit",
        "term",
        "",
        1,
        DAY * 0,
        # Schools are sampled at random (双随机), not each due every term.
        {"is_active": False},
        [],
        "教育督导问责办法 / 专项督导暂行办法（2016）；评分表参照北京市平安校园建设标准（2018）",
        (
            True,
            "区教育局随机抽取学校督导，按项评分，结果用于区内排名和问责。",
            [
                ("安全工作组织机构健全 / Safety organisation in place", "number",
                 {"min_value": 0, "max_value": 10, "points": 10, "hazard_category": "management"}),
                ("安全管理制度完善 / Safety rules complete", "number",
                 {"min_value": 0, "max_value": 10, "points": 10, "hazard_category": "management"}),
                ("人防、物防、技防达标 / Guards, physical and technical defence", "number",
                 {"min_value": 0, "max_value": 20, "points": 20, "hazard_category": "security"}),
                ("安全教育和应急演练 / Safety education and drills", "number",
                 {"min_value": 0, "max_value": 15, "points": 15, "hazard_category": "management"}),
                ("重点风险防控 / Key risks controlled", "number",
                 {"min_value": 0, "max_value": 15, "points": 15, "hazard_category": "management"}),
                ("隐患排查整改 / Hazards found and rectified", "number",
                 {"min_value": 0, "max_value": 15, "points": 15, "hazard_category": "management"}),
                ("突发事件应急处置 / Incident handling", "number",
                 {"min_value": 0, "max_value": 15, "points": 15, "hazard_category": "management"}),
            ],
        ),
    ),
]


def create_defaults(apps, schema_editor):
    ObligationRule = apps.get_model("schools", "ObligationRule")
    ChecklistTemplate = apps.get_model("inspections", "ChecklistTemplate")
    ChecklistVersion = apps.get_model("inspections", "ChecklistVersion")
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    InspectionRule = apps.get_model("inspections", "InspectionRule")
    for code, name, basis, slots, count, grace, options, kinds, source, template in DEFAULTS:
        is_scored, description, items = template
        rule = ObligationRule.objects.create(
            code=code,
            domain="inspections",
            name=name,
            basis=basis,
            slots=slots,
            required_count=count,
            grace=grace,
            source=source,
            **options,
        )
        checklist = ChecklistTemplate.objects.create(
            code=code, name=name, description=description, is_scored=is_scored, source=source
        )
        version = ChecklistVersion.objects.create(template=checklist, number=1)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                version=version,
                position=position,
                text=text,
                answer_type=answer_type,
                checkpoint_kinds=[],
                **{"source": source[:300], **item_options},
            )
            for position, (text, answer_type, item_options) in enumerate(items, start=1)
        )
        InspectionRule.objects.create(template=checklist, obligation=rule, checkpoint_kinds=kinds)


def remove_defaults(apps, schema_editor):
    codes = [entry[0] for entry in DEFAULTS]
    apps.get_model("inspections", "InspectionRule").objects.filter(
        obligation__code__in=codes, obligation__city__isnull=True
    ).delete()
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(
        code__in=codes, city__isnull=True
    ).delete()
    apps.get_model("schools", "ObligationRule").objects.filter(
        code__in=codes, city__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
