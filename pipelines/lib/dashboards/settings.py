"""Map settings from the ``[maps]`` section of ``sozialmonitor.toml`` (all optional).

```toml
[maps]
scheme = "fisher_jenks"        # or "quantiles"
classes = 5                    # 1 to 5
sampled_above = 3000           # Fisher-Jenks on a sample (FisherJenksSampled) above this many values
districts_per_page = 3000      # more districts on the lowest level: one page per top-level unit
```
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.lib.config import Config
from pipelines.lib.findings import ConfigError

SCHEMES = ("fisher_jenks", "quantiles")
MAX_CLASSES = 5


@dataclass(frozen=True)
class MapSettings:
    scheme: str = "fisher_jenks"
    classes: int = 5
    sampled_above: int = 3000
    districts_per_page: int = 3000


def map_settings(config: Config) -> MapSettings:
    """The ``[maps]`` section as :class:`MapSettings`; German :class:`ConfigError` on bad values."""
    raw = config.section("maps")
    try:
        settings = MapSettings(**raw)
    except TypeError as exc:
        raise ConfigError(f"[maps]: unbekannte Einstellung ({exc}).") from exc
    if settings.scheme not in SCHEMES:
        raise ConfigError(f"[maps] scheme muss eines von {', '.join(SCHEMES)} sein, nicht „{settings.scheme}“.")
    if not isinstance(settings.classes, int) or not 1 <= settings.classes <= MAX_CLASSES:
        raise ConfigError(f"[maps] classes muss eine ganze Zahl von 1 bis {MAX_CLASSES} sein.")
    for name in ("sampled_above", "districts_per_page"):
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"[maps] {name} muss eine positive ganze Zahl sein.")
    return settings
