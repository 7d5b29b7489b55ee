"""What the model picker offers, in order, and how a typed query ranks it.

Order: the models in use, configured and recently used (including one reached through `OPENAI_BASE_URL` that no
catalogue lists); then the models of each provider that has a key; then the catalogue of the providers without
one (they say which variable to set). A query ranks real matches first: the exact name, then names starting with
it, then names containing it, then every word present, and only then loose (subsequence) matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent_tui.core.llm.catalog import BUILTIN_PROVIDERS, Catalog, ModelInfo
from agent_tui.tui.fuzzy import score as fuzzy_score

RECENT = "Configured and recent"


@dataclass(frozen=True)
class ModelChoice:
    spec: str
    info: ModelInfo | None
    section: str
    note: str = ""  # "current", "recent", "config", or what to set for a provider without a key
    usable: bool = True

    @property
    def model_id(self) -> str:
        return self.spec.partition("/")[2]


def _info(catalog: Catalog, spec: str) -> ModelInfo | None:
    provider, _, model_id = spec.partition("/")
    if not provider or not model_id:
        return None
    try:
        return catalog.model_info(provider, model_id)
    except Exception:  # a spec naming an unknown provider is still offered; choosing it says what is wrong
        return None


def model_choices(catalog: Catalog, *, current: str | None, configured: Iterable[str | None],
                  recent: Iterable[str]) -> list[ModelChoice]:
    choices: list[ModelChoice] = []
    seen: set[str] = set()

    def add(spec: str | None, section: str, note: str = "", *, info: ModelInfo | None = None,
            usable: bool = True) -> None:
        if not spec or "/" not in spec or spec in seen:
            return
        seen.add(spec)
        choices.append(ModelChoice(spec, info or _info(catalog, spec), section, note, usable))

    add(current, RECENT, "current")
    for spec in configured:
        add(spec, RECENT, "config")
    for spec in recent:
        add(spec, RECENT, "recent")
    statuses = catalog.providers()
    for status in statuses:
        if status.configured:
            for info in _ordered(catalog.models(status.id), status.id):
                add(info.spec, status.name, info=info)
    for status in statuses:
        if not status.configured and status.id in BUILTIN_PROVIDERS and status.source == "none":
            section = f"{status.name} (no key: set {status.key_env})" if status.key_env else f"{status.name} (no key)"
            for info in _ordered(catalog.models(status.id), status.id):
                add(info.spec, section, "no key", info=info, usable=False)
    return choices


def _ordered(models: list[ModelInfo], provider: str) -> list[ModelInfo]:
    """The provider's preferred models first, in our order; the rest as the catalogue lists them."""
    spec = BUILTIN_PROVIDERS.get(provider)
    preferred = spec.preferred if spec else []
    rank = {model_id: index for index, model_id in enumerate(preferred)}
    return sorted(models, key=lambda m: rank.get(m.id, len(rank)))


def match_tier(query: str, choice: ModelChoice) -> tuple[int, float] | None:
    """(tier, tie-break) for a query — lower is better — or None when it does not match at all."""
    q = query.strip().lower()
    if not q:
        return 0, 0.0
    spec = choice.spec.lower()
    model_id = choice.model_id.lower()
    if q in (spec, model_id):
        return 0, len(spec)
    if model_id.startswith(q) or spec.startswith(q):
        return 1, len(spec)
    if q in model_id:
        return 2, model_id.index(q) + len(spec) / 1000
    if q in spec:
        return 3, spec.index(q) + len(spec) / 1000
    words = q.replace("/", " ").split()
    if len(words) > 1 and all(word in spec for word in words):
        return 4, len(spec)
    loose = fuzzy_score(q.replace(" ", ""), spec)
    if loose is not None:
        return 5, -loose
    return None


def rank(query: str, choices: list[ModelChoice]) -> list[ModelChoice]:
    """Matches of `query`, best first; usable models before those of providers without a key in each tier."""
    scored = []
    for index, choice in enumerate(choices):
        tier = match_tier(query, choice)
        if tier is not None:
            scored.append(((tier[0], not choice.usable, tier[1], index), choice))
    scored.sort(key=lambda item: item[0])
    return [choice for _, choice in scored]


def picker_choices(catalog: Catalog, config_model: str | None, small_model: str | None, *,
                   current: str | None) -> list[ModelChoice]:
    """The picker's list for the app: current, configured, recent, then providers with keys, then the rest."""
    from agent_tui.core.state import load_state

    return model_choices(catalog, current=current, configured=[config_model, small_model],
                         recent=load_state().recent_models)


def problem_with(catalog: Catalog, spec: str) -> str | None:
    """Why `spec` cannot be used (no key, unknown provider, not provider/model), or None."""
    from agent_tui.core.llm.catalog import ModelError

    try:
        catalog.resolve(spec)
    except ModelError as exc:
        return str(exc)
    return None
