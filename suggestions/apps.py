from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("代表建议")

    def ready(self) -> None:
        from suggestions import checks, deadlines, public_projection
        from suggestions.api import authentication, public_cache
        from suggestions.statistics import rollup

        checks.connect()
        public_cache.connect()
        authentication.connect()
        public_projection.connect()
        rollup.connect()
        deadlines.connect()
