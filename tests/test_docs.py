"""Every setting is documented: a setting missing from the docs fails here."""

from pathlib import Path

from facilitation.settings import CONSENSUS_SETTINGS, SESSION_SETTINGS
from server.cli import parser
from server.registry import COMMANDS, LOCAL
from server.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_server_settings_are_in_docs_and_readme() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for name, _, _ in SETTINGS:
        assert f"`PLENARY_{name.upper()}`" in docs, name
        assert f"PLENARY_{name.upper()}" in readme, name
        assert f"`--{name.replace('_', '-')}`" in docs, name


def test_session_settings_are_in_docs() -> None:
    docs = (ROOT / "docs" / "settings.md").read_text()
    for name, _, _ in SESSION_SETTINGS + CONSENSUS_SETTINGS:
        assert f"| `{name}` |" in docs, name


def test_every_command_is_in_the_protocol_doc() -> None:
    protocol = (ROOT / "docs" / "protocol.md").read_text()
    for name in [*COMMANDS, *LOCAL]:
        assert f"`{name} {{" in protocol, name


def test_cli_options_cover_every_setting() -> None:
    serve = parser().parse_args(["serve"])
    for name, _, _ in SETTINGS:
        assert hasattr(serve, name), name
