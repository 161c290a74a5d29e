"""A session whose participants rate by three planted profiles, through the real server.

Fifteen phones, five per hidden profile (A, B, C); their declared stakeholder
groups cut across the profiles (person i declares GROUPS[i % 3], profile is
i // 5). Each phone rates eight propositions; member m of a profile softens
its rating of proposition m one step (m > 0), and the last proposition is
noise (member m rates NOISE[m]), so the map has distinct points and the three
profiles come out as three opinion groups of five.

The first proposition is the consensus case: A and B agree, C is neutral. By
hand: over opinion groups ((5+1)/(5+2))^2 (0+1)/(5+2) under a cube root; over
the stakeholder groups (4 of 5, 3 of 5, 3 of 5 agree)
((4+1)/7 (3+1)/7 (3+1)/7)^(1/3).
"""

from dataclasses import dataclass
from typing import Any, Final

from tests.live import LiveServer, Peer

GROUPS: Final = ("government", "civil_society", "academia")
SA, A, N, D, SD = "strongly_agree", "agree", "neutral", "disagree", "strongly_disagree"
PROFILES: Final = (
    (A, SA, SD, SD, SA, N, SD),
    (A, SD, SA, SD, SD, SA, N),
    (N, SD, SD, SA, N, SD, SA),
)
NOISE: Final = (SA, A, N, D, SD)
TEXTS: Final = tuple(f"Proposition {i + 1}" for i in range(8))
OPINION_CONSENSUS_P1: Final = ((6 / 7) ** 2 * (1 / 7)) ** (1 / 3)
STAKEHOLDER_CONSENSUS_P1: Final = ((5 / 7) * (4 / 7) * (4 / 7)) ** (1 / 3)
# The tally alone suggests rough consensus on proposition 1 (10 of 15 agree).
CONSENSUS: Final = {"min_agree_share": 0.6, "min_ratings": 12}


@dataclass
class Played:
    created: dict[str, Any]
    facilitator: Peer
    phones: list[Peer]
    participant_ids: list[str]
    names: list[str]
    tokens: list[str]

    @property
    def proposition_ids(self) -> list[str]:
        return [p["id"] for p in self.created["propositions"]]

    @property
    def session_id(self) -> str:
        return str(self.created["session_id"])

    def profile(self, i: int) -> int:
        return i // 5

    async def close(self) -> None:
        for peer in [self.facilitator, *self.phones]:
            await peer.close()


SOFTER: Final = {SA: A, SD: D, N: A, A: A}


def value(i: int, j: int) -> str:
    """Person i's rating of proposition j: the profile's, softened one step on
    proposition i % 5 (so each person has their own point on the map)."""
    if j == 7:
        return NOISE[i % 5]
    base = PROFILES[i // 5][j]
    return SOFTER[base] if j == i % 5 and j > 0 else base


async def play(server: LiveServer, **settings: Any) -> Played:
    """Create, join fifteen phones, open every proposition and rate by profile."""
    settings = {"opinions_every": 40, "opinions_seconds": 1, **settings}
    settings["consensus"] = {**CONSENSUS, **settings.get("consensus", {})}
    created = server.create_session("Opinion groups", TEXTS, settings=settings)
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    names = [f"Planted Person {i:02d}" for i in range(15)]
    joined = [
        server.join(created["join_code"], GROUPS[i % 3], "in_room", name=names[i])
        for i in range(15)
    ]
    phones = [await Peer(server.url, j["token"]).connect() for j in joined]
    ids, tokens = [j["participant_id"] for j in joined], [j["token"] for j in joined]
    played = Played(created, facilitator, phones, ids, names, tokens)
    for pid in played.proposition_ids:
        assert (await facilitator.call("proposition:open", {"proposition_id": pid}))["ok"]
    for j, pid in enumerate(played.proposition_ids):
        for i, phone in enumerate(phones):
            ack = await phone.call("rating:submit", {"proposition_id": pid, "value": value(i, j)})
            assert ack["ok"], ack
    return played


def grouped(view: dict[str, Any]) -> bool:
    """The console's view holds the final groups: three of five, all fifteen placed."""
    section = view.get("opinions") or {}
    return section.get("placed") == 15 and sorted(g["size"] for g in section["groups"]) == [5] * 3
