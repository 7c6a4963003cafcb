"""Demo data for the embedded default: a small, believable marketplace. Idempotent.

Builds, through the project's services: the operator and the printed demo logins, five
service providers (women's clothing, home, jewelry, bags, accessories) with campaigns in
every status, six merchants with ~40 products, eight buyers with profiles and rosters,
assortments, a livestream lineup, sample requests, links, two to three months of clicks and
orders, and that past replayed with the clock at each moment (core/demo/history.py): nightly
settlement runs, returns after settlement (clawbacks), monthly incentives and payouts, so last
month and the month before have statements. Running it again looks everything up by natural
key and creates nothing new (core/demo/ has the details).
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from portal.demo import history, marketplace, people, sales
from portal.demo.data import DEMO_ORGANISATIONS, DEMO_PASSWORD

# The services notify the other side by email too; the demo's notices stay in the portal
# instead of printing a hundred emails on the console.
QUIET_MAIL = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = "Build the demo marketplace (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with override_settings(EMAIL_BACKEND=QUIET_MAIL), transaction.atomic():
            self.seed()
        self.print_logins()

    def seed(self) -> None:
        tally, made = people.Tally(), {}
        steps = [
            ("organisations and members", lambda: made.update(cast=people.seed_people(tally))),
            ("products", lambda: people.seed_products(made["cast"], tally)),
            ("buyer profiles", lambda: people.seed_buyer_profiles(made["cast"], tally)),
            ("campaigns and enrollments", lambda: marketplace.seed_campaigns(made["cast"], tally)),
            ("rosters", lambda: marketplace.seed_rosters(made["cast"], tally)),
            ("assortments", lambda: marketplace.seed_assortments(made["cast"], tally)),
            (
                "livestream",
                lambda: made.update(live=marketplace.seed_livestream(made["cast"], tally)),
            ),
            (
                "sample requests",
                lambda: marketplace.seed_samples(made["cast"], made["live"], tally),
            ),
            ("links", lambda: made.update(links=sales.seed_links(made["cast"], tally))),
            ("clicks", lambda: sales.seed_clicks(made["links"], tally)),
            ("incentive programmes", lambda: history.seed_programmes(tally)),
            ("orders", lambda: history.seed_history(made["cast"], tally)),
            (
                "settlement",
                lambda: history.settle(timezone.localdate(), tally, by=made["cast"].operator),
            ),
        ]
        for label, step in steps:
            step()
            self.report(label, tally)

    def report(self, label: str, tally: people.Tally) -> None:
        """Say what the step just created, or that it was already seeded."""
        made = ", ".join(f"{count} {name}" for name, count in tally.counts.items() if count)
        self.stdout.write(f"  {label}: {made or 'already seeded'}")
        tally.counts.clear()

    def print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s)" % DEMO_PASSWORD))
        self.stdout.write("  operator          platform operator, /admin/")
        for username, role, name in DEMO_ORGANISATIONS:
            self.stdout.write(f"  {username:<17} {role.label}: {name}")
        self.stdout.write("  (other demo members: demo-provider-*, demo-merchant-*, demo-buyer-*)")
