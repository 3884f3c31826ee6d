"""Fields of work (领域) loaded by a data migration; offices may add their own."""

FIELDS = [
    ("education", "教育"),
    ("science", "科技"),
    ("culture", "文化艺术"),
    ("sports", "体育"),
    ("health", "卫生健康"),
    ("elderly", "养老服务"),
    ("disability", "助残"),
    ("youth", "青少年"),
    ("women_family", "妇女儿童与家庭"),
    ("community", "社区服务"),
    ("environment", "生态环境"),
    ("legal", "法律服务"),
    ("charity", "慈善救助"),
    ("industry", "行业协会商会"),
    ("workers", "职工服务"),
    ("volunteering", "志愿服务"),
    ("social_work", "社会工作"),
    ("overseas", "侨务与对外交流"),
    ("rural", "农村发展"),
    ("research", "学术研究"),
]
