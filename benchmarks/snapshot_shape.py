"""The synthetic snapshot's shape (how many routes, occupations and links, in what proportions)
and the word lists its names and sentences are made from."""

from __future__ import annotations

import re

FULL = 1300  # occupations in the national map
MAX_OCCUPATIONS = 6000  # codes stay OCC plus four digits
SMALL = 120  # enough for every route, status, band and product type to appear

# The national map's shape at FULL scale; other sizes are scaled from it.
ROUTE_WEIGHTS = (150, 130, 120, 110, 100, 95, 90, 85, 80, 75, 70, 60, 55, 45, 35)  # sum 1,300
PATHWAYS_PER_ROUTE = (4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1)  # 35 pathways
CLUSTERS = 172
PROGRESSION_PAIRS = 3000
CROSS_ROUTE_SHARE = 0.08  # of the progression pairs
ISOLATED_SHARE = 0.07  # occupations with no progression neighbours...
POTENTIAL_ISOLATED_SHARE = 0.6  # ...but most potential ones have none
VARIANT_GROUP_CHANCE = 0.035  # a run of OCC0119A, OCC0119B, ... sharing one standard
SUMMARY_LENGTH = (1500, 3000)  # characters of HTML

STATUS_NAMES = {
    1: "Approved occupation",
    2: "Occupational standard in development",
    3: "Potential occupational standard",
    4: "Occupational standard without apprenticeship",
}
STATUS_WEIGHTS = (72, 6, 12, 10)
BAND_NAMES = {1: "Technical", 2: "Higher Technical", 3: "Professional"}
BAND_LEVELS = {1: (2, 3), 2: (4, 5), 3: (6, 7)}
LEVEL_WEIGHTS = {1: (25, 75), 2: (75, 25), 3: (50, 50)}
PRODUCT_TYPE_NAMES = {
    1: "Apprenticeship",
    2: "HTQ",
    3: "T Level",
    4: "TQ",
    5: "Foundation Apprenticeship",
    6: "Apprenticeship Unit",
}
ENTRY_CATEGORY = "Occupational entry technical qualifications"
API = "https://occupational-maps-api.example.org/api/v1"
SITE = "https://occupational-maps.example.org"

# Word lists (ordinary English words: the text they make is invented).
PLACES = (
    "harbour", "orchard", "textile", "signal", "archive", "foundry", "clinic", "studio", "ledger",
    "kitchen", "quarry", "workshop", "garden", "laboratory", "depot", "gallery", "forge",
    "observatory", "market", "pharmacy", "vineyard", "mill", "library", "station", "bakery",
    "reservoir", "theatre", "hangar", "dockyard", "nursery", "tannery", "brewery", "printworks",
    "warehouse", "academy", "pottery", "apiary", "fishery", "timberyard", "boatyard",
)  # fmt: skip
SUBJECTS = (
    "rigging", "glazing", "survey", "assay", "cartography", "upholstery", "telemetry", "joinery",
    "calibration", "irrigation", "metrology", "hydraulics", "acoustics", "composites", "ceramics",
    "logistics", "forensics", "robotics", "optics", "horology", "masonry", "plumbing", "analytics",
    "compliance", "hospitality", "animation", "typography", "navigation", "welding", "coating",
    "insulation", "fermentation", "dispensing", "conservation", "ergonomics", "recycling",
    "sensor", "turbine", "pipeline", "cabling", "drone", "payroll", "tenancy", "custody",
    "curation", "packaging", "grading", "milling", "stitching", "tuning", "bridge", "tunnel",
    "rail", "fleet", "cargo", "signage", "lighting", "audio", "broadcast", "pattern", "fitness",
    "therapy", "nutrition", "dental", "optical", "veterinary", "seed", "soil", "stone", "glass",
    "paper", "plastics", "battery", "solar", "hydrogen", "network", "database", "software",
    "security", "cloud", "archival", "mapping", "metalwork", "print", "retail", "events",
)  # fmt: skip
ROLES = {
    1: ("operative", "technician", "assistant", "installer", "craftsperson", "fitter", "worker"),
    2: ("advanced technician", "supervisor", "specialist", "coordinator", "manager", "inspector"),
    3: ("professional", "engineer", "scientist", "consultant", "lead", "architect", "director"),
}
MODIFIERS = (
    "Senior", "Junior", "Field", "Bench", "Mobile", "Site", "Lead", "Assistant", "Marine", "Rural",
    "Urban", "Heritage", "Digital", "Precision", "Estate", "Network", "Quality", "Production",
)  # fmt: skip
PATHWAY_TAILS = ("services", "operations", "design and development", "production", "support")
SYLLABLES = (
    "ash", "bel", "cor", "dun", "el", "fen", "gar", "hol", "ing", "kel", "lan", "mor", "nor",
    "pen", "quin", "ros", "sel", "tor", "ver", "wick", "brad", "cal", "dor", "har", "mel", "tam",
)  # fmt: skip
ENDINGS = ("by", "ton", "ford", "ley", "worth", "field", "ham", "stead", "more", "well", "gate")
COMPANY_SUFFIXES = ("Ltd", "PLC", "Group", "Limited", "LLP", "Partners", "Trust", "Services")
GREEN_WORDS = (
    "Renewable", "Low carbon", "Circular", "Clean", "Efficient", "Natural", "Resilient", "Zero",
)  # fmt: skip
GREEN_AREAS = (
    "heat", "power", "transport", "materials", "water", "land", "buildings", "industry", "waste",
    "finance", "storage", "grids", "food", "air", "coasts", "forests",
)  # fmt: skip
VERBS = (
    "plan", "inspect", "maintain", "design", "install", "monitor", "test", "repair", "record",
    "prepare", "assess", "coordinate", "improve", "deliver", "analyse", "configure", "check",
)  # fmt: skip
OBJECTS = (
    "equipment", "records", "systems", "materials", "samples", "schedules", "components",
    "installations", "reports", "budgets", "products", "processes", "sites", "assets", "data",
)  # fmt: skip
OUTCOMES = (
    "work is safe and compliant", "customers receive a reliable service",
    "costs stay within budget", "quality standards are met", "deadlines are kept",
    "waste is kept to a minimum", "the organisation can make sound decisions",
    "faults are found before they cause harm", "colleagues have what they need",
    "the business meets its legal duties",
)  # fmt: skip
PEOPLE = (
    "customers and suppliers", "colleagues in other teams", "site managers",
    "members of the public", "regulators and inspectors", "contractors", "clients",
    "senior managers", "specialist staff",
)  # fmt: skip
SECTORS = (
    "small and large employers", "the public and private sectors", "manufacturing and retail",
    "local government", "transport and logistics", "the voluntary sector", "construction sites",
    "offices, workshops and outdoor sites", "regional and national organisations",
)  # fmt: skip
CONSTRAINTS = (
    "agreed procedures", "health and safety law", "the organisation's policies",
    "industry standards", "tight timescales", "a set budget", "data protection rules",
)  # fmt: skip
QUALIFICATION_FORMS = (
    "Certificate of Higher Education in {s}",
    "Foundation Degree in {s}",
    "HNC in {s} and {t}",
    "HND in {s}",
    "Diploma of Higher Education in {s}",
    "{b} Level {lvl} Diploma: {S} {r}",
    "{b} Level {lvl} Higher National Certificate in {S} and {t}",
)
PRODUCT_STATUSES = {1: "Approved for delivery", 2: "In development", 6: "Retired"}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _apportion(total: int, weights, minimum: int = 0) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainders), each part at least ``minimum``
    while ``total`` allows."""
    minimum = min(minimum, total // len(weights)) if weights else 0
    spare = total - minimum * len(weights)
    whole = sum(weights)
    shares = [spare * w / whole for w in weights]
    parts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]
