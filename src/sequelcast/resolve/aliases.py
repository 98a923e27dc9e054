"""Well-known nicknames and abbreviations, each mapped to a title that then resolves normally.

The table holds no MyAnimeList ids: a nickname is rewritten to a canonical title (as MyAnimeList
spells it), and that title is looked up in the index like any query, so the table keeps working
when ids or entries change. A nickname whose canonical title is not in the index finds nothing.

Keys are compared after :func:`~sequelcast.resolve.normalize.normalize` with spaces removed, so
``"Re Zero"``, ``"re:zero"`` and ``"ReZero"`` are the same key.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_ALIASES: dict[str, str] = {
    # action / shounen
    "AOT": "Attack on Titan",
    "SNK": "Shingeki no Kyojin",
    "KnY": "Kimetsu no Yaiba",
    "Demon Slayer": "Kimetsu no Yaiba",
    "JJK": "Jujutsu Kaisen",
    "MHA": "Boku no Hero Academia",
    "BNHA": "Boku no Hero Academia",
    "OPM": "One Punch Man",
    "FMA": "Fullmetal Alchemist: Brotherhood",
    "FMAB": "Fullmetal Alchemist: Brotherhood",
    "Brotherhood": "Fullmetal Alchemist: Brotherhood",
    "HxH": "Hunter x Hunter (2011)",
    "CSM": "Chainsaw Man",
    "DBZ": "Dragon Ball Z",
    "DBS": "Dragon Ball Super",
    "JoJo": "JoJo no Kimyou na Bouken (TV)",
    "TTGL": "Tengen Toppa Gurren Lagann",
    "Gurren Lagann": "Tengen Toppa Gurren Lagann",
    "Code Geass": "Code Geass: Hangyaku no Lelouch",
    "Frieren": "Sousou no Frieren",
    "TPN": "Yakusoku no Neverland",
    "Promised Neverland": "Yakusoku no Neverland",
    "Railgun": "Toaru Kagaku no Railgun",
    "Madoka": "Mahou Shoujo Madoka★Magica",
    "Shippuden": "Naruto: Shippuuden",
    # light-novel / isekai
    "SAO": "Sword Art Online",
    "ReZero": "Re:Zero kara Hajimeru Isekai Seikatsu",
    "Konosuba": "Kono Subarashii Sekai ni Shukufuku wo!",
    "Danmachi": "Dungeon ni Deai wo Motomeru no wa Machigatteiru Darou ka",
    "Oregairu": "Yahari Ore no Seishun Love Comedy wa Machigatteiru.",
    "SNAFU": "Yahari Ore no Seishun Love Comedy wa Machigatteiru.",
    "Bunny Girl Senpai": "Seishun Buta Yarou wa Bunny Girl Senpai no Yume wo Minai",
    "Tensura": "Tensei shitara Slime Datta Ken",
    "Slime Isekai": "Tensei shitara Slime Datta Ken",
    "Mushoku": "Mushoku Tensei: Isekai Ittara Honki Dasu",
    "NGNL": "No Game No Life",
    "DxD": "High School DxD",
    "Higehiro": "Hige wo Soru. Soshite Joshikousei wo Hirou.",
    # romance / comedy / drama
    "Kaguya": "Kaguya-sama wa Kokurasetai: Tensai-tachi no Renai Zunousen",
    "Love is War": "Kaguya-sama: Love is War",
    "Spy Family": "Spy x Family",
    "SxF": "Spy x Family",
    "Bocchi": "Bocchi the Rock!",
    "OHSHC": "Ouran Koukou Host Club",
    "Ouran": "Ouran Koukou Host Club",
    "Saiki K": "Saiki Kusuo no Ψ-nan",
    "Toradora": "Toradora!",
    "Your Name": "Kimi no Na wa.",
    "Spirited Away": "Sen to Chihiro no Kamikakushi",
    "A Silent Voice": "Koe no Katachi",
    "Steins Gate": "Steins;Gate",
    "Bakemono": "Bakemonogatari",
}

#: Nickname (as written) -> canonical title. Read-only.
ALIASES: Mapping[str, str] = MappingProxyType(_ALIASES)
