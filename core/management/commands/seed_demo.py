"""Demo data for the embedded default. Idempotent: running it again changes nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Organisation, Role, User

DEMO_PASSWORD = "demo-pass-2026"

DEMO_ORGANISATIONS = [
    ("merchant", Role.MERCHANT, "杭州云裳服饰 Yunshang Apparel"),
    ("buyer", Role.BUYER, "小鹿直播间 Little Deer Live"),
    ("provider", Role.PROVIDER, "优选团长 Youxuan Selection"),
    ("pending_provider", Role.PROVIDER, "新星选品 Xinxing Selection"),
]


class Command(BaseCommand):
    help = "Create the demo operator and one organisation of each role, and print their logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            self.ensure_user("operator", None, staff=True)
            for username, role, name in DEMO_ORGANISATIONS:
                status = (
                    Organisation.Status.PENDING
                    if username == "pending_provider"
                    else Organisation.Status.ACTIVE
                )
                organisation, _ = Organisation.objects.get_or_create(
                    name=name, role=role, defaults={"status": status}
                )
                self.ensure_user(username, organisation)
        self.print_logins()

    def ensure_user(self, username: str, organisation: Organisation | None, staff: bool = False):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@demo.local",
                "organisation": organisation,
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s)" % DEMO_PASSWORD))
        self.stdout.write("  operator          platform operator, /admin/")
        for username, role, name in DEMO_ORGANISATIONS:
            self.stdout.write(f"  {username:<17} {role.label}: {name}")
