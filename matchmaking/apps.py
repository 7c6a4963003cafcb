from django.apps import AppConfig


class MatchmakingConfig(AppConfig):
    name = "matchmaking"

    def ready(self) -> None:
        # merchants cannot call up into matchmaking; matchmaking listens (issue 15's inversion).
        from matchmaking.services.storefront_review import follow_storefront_changes
        from merchants import storefront_changes

        storefront_changes.listen(follow_storefront_changes)
