from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "commissions"

    def ready(self) -> None:
        # matchmaking ranks with what commissions knows, without importing it (layers).
        from commissions import recommendation_evidence as evidence
        from matchmaking import buyer_evidence

        buyer_evidence.provide("sales", evidence.sales)
        buyer_evidence.provide("clicks", evidence.clicks)
        buyer_evidence.provide("promoted", evidence.links_made)
