from django.db import migrations

# (slug, English, Chinese, parent slug). The first five are the first service providers' fields.
CATEGORIES = [
    ("womens-clothing", "Women's clothing", "女装", None),
    ("home", "Home", "家居", None),
    ("jewelry", "Jewelry", "珠宝饰品", None),
    ("bags", "Bags", "箱包", None),
    ("accessories", "Accessories", "配饰", None),
    ("beauty", "Beauty", "美妆", None),
    ("food", "Food", "食品", None),
    ("mens-clothing", "Men's clothing", "男装", None),
    ("shoes", "Shoes", "鞋靴", None),
    ("kids", "Mother and baby", "母婴", None),
    ("electronics", "Electronics", "数码家电", None),
    ("sports", "Sports and outdoors", "运动户外", None),
    ("health", "Health", "健康保健", None),
    ("dresses", "Dresses", "连衣裙", "womens-clothing"),
    ("tops", "Tops", "上衣", "womens-clothing"),
    ("knitwear", "Knitwear", "针织衫", "womens-clothing"),
    ("kitchen", "Kitchen", "厨房用品", "home"),
    ("bedding", "Bedding", "床上用品", "home"),
    ("storage", "Storage", "收纳整理", "home"),
    ("necklaces", "Necklaces", "项链", "jewelry"),
    ("earrings", "Earrings", "耳饰", "jewelry"),
    ("handbags", "Handbags", "手提包", "bags"),
    ("backpacks", "Backpacks", "双肩包", "bags"),
    ("scarves", "Scarves", "围巾", "accessories"),
    ("hair-accessories", "Hair accessories", "发饰", "accessories"),
    ("skincare", "Skincare", "护肤", "beauty"),
    ("makeup", "Makeup", "彩妆", "beauty"),
    ("snacks", "Snacks", "零食", "food"),
    ("tea", "Tea", "茶叶", "food"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("merchants", "Category")
    by_slug = {}
    for position, (slug, name_en, name_zh, parent) in enumerate(CATEGORIES):
        category, _ = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh": name_zh,
                "parent": by_slug.get(parent),
                "position": position,
            },
        )
        by_slug[slug] = category


def unseed(apps, schema_editor):
    Category = apps.get_model("merchants", "Category")
    slugs = [row[0] for row in CATEGORIES]
    Category.objects.filter(slug__in=slugs, parent__isnull=False).delete()
    Category.objects.filter(slug__in=slugs).delete()


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
