"""Which addresses ``sozialmonitor serve`` may bind to: loopback freely, anything else only when asked for.

The Dagster UI has no login. Whoever reaches it can start and cancel runs, switch schedules and sensors off
and read every run's log, metadata and check results, the paths of the private reports among them.
"""

from __future__ import annotations

import ipaddress

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

REFUSED = ("Abbruch: --host {host} macht die Dagster-Oberfläche für andere Rechner erreichbar, ohne Anmeldung. "
           "Ohne weitere Angabe nur 127.0.0.1 (von anderen Rechnern per SSH-Tunnel: ssh -L {port}:127.0.0.1:{port} "
           "server). Wer sie wirklich im Netz braucht, gibt --allow-remote an.")
EXPOSED = ("Achtung: die Dagster-Oberfläche ist auf {host}:{port} ohne Anmeldung von anderen Rechnern erreichbar. "
           "Jede Person, die sie erreicht, kann Läufe starten und abbrechen, Zeitplan und Sensoren abschalten und "
           "Protokolle, Metadaten und Prüfergebnisse jedes Laufs lesen (Dateinamen, Zeilen, Pfade der privaten "
           "Berichte, Anzahlen von Befunden; keine Fallzahlen). Nur in einem geschützten Netz oder hinter einem "
           "Proxy mit Anmeldung betreiben.")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name or another address: reachable from elsewhere


def check_host(host: str, port: int, allow_remote: bool) -> tuple[bool, str | None]:
    """(may start, message to print): loopback starts silently, anything else only with ``allow_remote``."""
    if is_loopback(host):
        return True, None
    if not allow_remote:
        return False, REFUSED.format(host=host, port=port)
    return True, EXPOSED.format(host=host, port=port)
