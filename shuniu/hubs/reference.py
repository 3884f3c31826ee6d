"""Systems (条线) loaded by a data migration: the lines of Beijing's 36 city hubs (recognised
in batches from 2009) plus the
social-organization federations that serve as street-level hubs. Offices may add their own."""

SYSTEMS = [
    ("union", "工会"),
    ("youth_league", "共青团"),
    ("womens_federation", "妇联"),
    ("science", "科协"),
    ("disabled", "残联"),
    ("overseas_chinese", "侨联"),
    ("literature_art", "文联"),
    ("social_sciences", "社科联"),
    ("red_cross", "红十字会"),
    ("law_society", "法学会"),
    ("commerce", "工商联"),
    ("trade_promotion", "贸促会"),
    ("private_economy", "私营个体经济"),
    ("sports", "体育"),
    ("volunteers", "志愿服务"),
    ("charity", "慈善公益"),
    ("accountants", "注册会计师"),
    ("lawyers", "律师"),
    ("industry", "工业经济"),
    ("commerce_trade", "商业"),
    ("construction", "建筑业"),
    ("private_education", "民办教育"),
    ("elderly", "老龄"),
    ("family_planning", "计划生育"),
    ("social_work", "社会工作"),
    ("community_service", "社区服务"),
    ("social_organizations", "社会组织联合会"),
]
