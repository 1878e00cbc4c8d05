"""Writes the PDFs of this hand-built fixture (run from the repository root with PYTHONPATH=.:
``python tests/sites/federation_pdf/make_pdfs.py``); the files are committed, this records how."""

from pathlib import Path

from tests.support.pdfs import make_pdf

HERE = Path(__file__).resolve().parent / "files"

FILES = {
    "cp-moratoire.pdf": make_pdf(
        [
            "Communiqué de presse",
            "Paris, le 12 janvier 2026",
            "La fédération demande un moratoire sur la fin de l’expérimentation SECPA",
            "(structures d’exercice coordonné participatives, article 51).",
            "Les 26 structures accueillent des publics éloignés du soin.",
        ],
        title="La fédération demande un moratoire sur la fin des SECPA",
        created="D:20260112090000+01'00'",
    ),
    "rapport-2025.pdf": make_pdf(
        [
            "Rapport d’activité 2025 de la fédération",
            "Le réseau compte désormais 480 centres de santé adhérents.",
            "Le congrès national s’est tenu à Lyon et a réuni 900 participants.",
        ],
        created="D:20251215143000Z",
    ),
    "lettre-chiffree.pdf": make_pdf(
        ["Lettre au ministère sur le financement des centres participatifs."],
        password="secret",
    ),
    "scan.pdf": make_pdf([], title="Scan du courrier"),
}

if __name__ == "__main__":
    for name, data in FILES.items():
        (HERE / name).write_bytes(data)
