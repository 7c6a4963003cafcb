from django.apps import AppConfig


class InfluencersConfig(AppConfig):
    name = "influencers"

    def ready(self) -> None:
        # matchmaking ranks with what influencers knows, without importing it (layers).
        from influencers import recommendation_evidence as evidence
        from matchmaking import buyer_evidence

        buyer_evidence.provide("profiles", evidence.profiles)
        buyer_evidence.provide("promoted", evidence.planned_slots)
