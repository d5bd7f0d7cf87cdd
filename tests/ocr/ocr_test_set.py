"""The OCR test set, generated: the office's request form filled in for demo people, printed to PDF,
rasterised at 200 and 300 dpi, with noise, skewed ±2° and JPEG-compressed.

    python tests/ocr/ocr_test_set.py OUT_DIR            # write the images and truth.json
    python tests/ocr/ocr_test_set.py OUT_DIR --measure  # ... and recognise them: field accuracy per variant

Nothing here is committed as images: the set is made again from the form and the people below.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageFilter

from desktop.domain.form_text import FIELDS, FormReading
from desktop.domain.model import Right
from desktop.printing.request_form import FilledForm, render_request_form

# Demo people (henkilötunnus check characters computed by hand from the rule; one is wrong on purpose).
PEOPLE: list[tuple[str, FilledForm]] = [
    (
        "fi",
        FilledForm(
            "Maija Meikäläinen",
            "131052-308T",
            "Mannerheimintie 1 A 2",
            "00100",
            "HELSINKI",
            "040 1234567",
            "maija.meikalainen@example.fi",
            frozenset({Right.ACCESS}),
            "Pyydän kopiot kaikista tiedoistani.",
            "12.3.2026",
        ),
    ),
    (
        "fi",
        FilledForm(
            "Väinö Räsänen",
            "010170-2021",
            "Hämeenkatu 14 B 7",
            "33100",
            "TAMPERE",
            "050 7654321",
            "vaino.rasanen@example.fi",
            frozenset({Right.ERASURE, Right.OBJECTION}),
            "Poistakaa vanhat tiedot.",
            "2.11.2026",
        ),
    ),
    (
        "fi",
        FilledForm(
            "Liisa Kärkkäinen",
            "240385-245R",
            "Koulukatu 3",
            "90100",
            "OULU",
            "044 5551234",
            "liisa.karkkainen@example.com",
            frozenset({Right.RECTIFICATION}),
            "Osoitteeni on väärin.",
            "30.1.2026",
        ),
    ),
    (
        "sv",
        FilledForm(
            "Åsa Sjöberg",
            "150675-173E",
            "Handelsesplanaden 12 B 7",
            "65100",
            "VASA",
            "06 3123456",
            "asa.sjoberg@example.fi",
            frozenset({Right.ACCESS, Right.RECORDING}),
            "Jag vill ha en kopia.",
            "5.3.2026",
        ),
    ),
    (
        "sv",
        FilledForm(
            "Björn Öhman",
            "290292-6556",
            "Storgatan 5",
            "68600",
            "JAKOBSTAD",
            "040 9876543",
            "bjorn.ohman@example.se",
            frozenset({Right.RESTRICTION}),
            "Begränsa behandlingen.",
            "18.8.2026",
        ),
    ),
    (
        "sv",
        FilledForm(
            "Karin Lindqvist",
            "081199-4182",
            "Strandvägen 22",
            "10600",
            "EKENÄS",
            "045 1112233",
            "karin.lindqvist@example.fi",
            frozenset({Right.CONSENT_WITHDRAWAL}),
            "Jag återkallar mitt samtycke.",
            "1.12.2026",
        ),
    ),
]
# The same person with the check character changed: never prefilled.
WRONG_CHECK = (
    "fi",
    FilledForm(
        "Pekka Virhe",
        "131052-308U",
        "Rantatie 9",
        "00100",
        "HELSINKI",
        "040 2223344",
        "pekka.virhe@example.fi",
        frozenset({Right.ACCESS}),
        "",
        "3.3.2026",
    ),
)

VARIANTS = ("300dpi", "200dpi", "noise", "skew+2", "skew-2", "jpeg")


@dataclass(frozen=True)
class Sample:
    file: str
    person: int  # index into PEOPLE, or -1 for WRONG_CHECK
    variant: str
    language: str


def truth(form: FilledForm) -> dict:
    day, month, year = (int(p) for p in form.signed_on.split("."))
    return {
        "name": form.name,
        "hetu": form.hetu,
        "street": form.street,
        "postcode": form.postcode,
        "city": form.city,
        "phone": form.phone,
        "email": form.email,
        "rights": sorted(r.value for r in form.rights),
        "signed_on": date(year, month, day).isoformat(),
    }


def reading_fields(reading: FormReading) -> dict:
    return {
        "name": reading.name,
        "hetu": reading.hetu,
        "street": reading.street,
        "postcode": reading.postcode,
        "city": reading.city,
        "phone": reading.phone,
        "email": reading.email,
        "rights": sorted(r.value for r in reading.rights),
        "signed_on": reading.signed_on.isoformat() if reading.signed_on else "",
    }


def _rasterise(pdf: bytes, dpi: int) -> Image.Image:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-gray",
                "-png",
                "-singlefile",
                str(source),
                str(Path(folder) / "page"),
            ],
            check=True,
            capture_output=True,
        )
        with Image.open(Path(folder) / "page.png") as image:
            return image.copy()


def _noise(image: Image.Image, seed: int) -> Image.Image:
    """Scanner grain (Gaussian noise, sigma 40, blended at 20 %), salt-and-pepper specks, a 0.6 px blur."""
    gray = image.convert("L")
    noisy = Image.blend(gray, Image.effect_noise(gray.size, 40), 0.2)
    rng = random.Random(seed)
    pixels = noisy.load()
    width, height = noisy.size
    for _ in range(width * height // 400):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = 0 if rng.random() < 0.5 else 255
    return noisy.filter(ImageFilter.GaussianBlur(0.6))


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "jpeg":
        image.save(buffer, "JPEG", quality=35)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def variant_image(pdf: bytes, variant: str, seed: int = 0) -> tuple[bytes, str]:
    """One variant of a printed form as image bytes and its file suffix."""
    if variant == "200dpi":
        return _encode(_rasterise(pdf, 200), "png"), ".png"
    image = _rasterise(pdf, 300)
    if variant == "noise":
        image = _noise(image, seed)
    elif variant in ("skew+2", "skew-2"):
        angle = 2.0 if variant == "skew+2" else -2.0
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    elif variant == "jpeg":
        return _encode(image, "jpeg"), ".jpg"
    return _encode(image, "png"), ".png"


def generate(folder: Path, people: list[int] | None = None, variants: tuple[str, ...] = VARIANTS,
             wrong_check_variants: tuple[str, ...] = ("300dpi", "jpeg")) -> list[Sample]:  # fmt: skip
    """Write the set into `folder` (images, the printed PDFs, truth.json); returns the samples."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = list(range(len(PEOPLE))) if people is None else people
    jobs = [(index, PEOPLE[index], variants) for index in chosen] + [(-1, WRONG_CHECK, wrong_check_variants)]
    samples = []
    for index, (language, form), wanted in jobs:
        pdf = render_request_form(language, form, "Testivirasto")
        stem = f"form-{language}-{'wrong' if index < 0 else index}"
        (folder / f"{stem}.pdf").write_bytes(pdf)
        for variant in wanted:
            data, suffix = variant_image(pdf, variant, seed=index * 31 + len(variant))
            name = f"{stem}-{variant}{suffix}"
            (folder / name).write_bytes(data)
            samples.append(Sample(name, index, variant, language))
    (folder / "truth.json").write_text(
        json.dumps(
            {
                "samples": [asdict(s) for s in samples],
                "people": [truth(form) for _, form in PEOPLE],
                "wrong_check": truth(WRONG_CHECK[1]),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return samples


def expected(sample: Sample) -> dict:
    return truth(PEOPLE[sample.person][1] if sample.person >= 0 else WRONG_CHECK[1])


def measure(folder: Path, samples: list[Sample]) -> dict:
    """Recognise every sample: per variant and per field, how many fields were read exactly right."""
    from time import perf_counter

    from desktop.services import ocr

    table: dict[str, dict[str, list[int]]] = {}
    seconds = []
    wrong_prefilled = 0
    for sample in samples:
        started = perf_counter()
        result = ocr.read_scan((folder / sample.file).read_bytes(), sample.file)
        seconds.append(perf_counter() - started)
        got = reading_fields(result.reading)
        want = expected(sample)
        if sample.person < 0:
            wrong_prefilled += bool(got["hetu"])
            want = {**want, "hetu": ""}  # the right answer for a wrong check character is "nothing"
        row = table.setdefault(sample.variant, {f: [0, 0] for f in FIELDS})
        for name in FIELDS:
            row[name][1] += 1
            row[name][0] += got[name] == want[name]
    return {"table": table, "seconds": seconds, "wrong_check_prefilled": wrong_prefilled}


def report(figures: dict) -> str:
    lines = ["| variant | " + " | ".join(FIELDS) + " | all |", "|---" * (len(FIELDS) + 2) + "|"]
    total_right = total = 0
    for variant, row in figures["table"].items():
        right = sum(v[0] for v in row.values())
        count = sum(v[1] for v in row.values())
        total_right += right
        total += count
        cells = [f"{v[0]}/{v[1]}" for v in row.values()]
        lines.append(f"| {variant} | " + " | ".join(cells) + f" | {100 * right / count:.0f} % |")
    seconds = figures["seconds"]
    lines.append("")
    lines.append(f"All fields: {total_right}/{total} = {100 * total_right / total:.1f} %.")
    lines.append(
        f"Seconds a page (recognition and parsing): median {sorted(seconds)[len(seconds) // 2]:.1f}, "
        f"max {max(seconds):.1f} over {len(seconds)} pages."
    )
    lines.append(f"Wrong check character prefilled: {figures['wrong_check_prefilled']} times.")
    return "\n".join(lines)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    if out.exists():
        shutil.rmtree(out)
    made = generate(out)
    print(f"{len(made)} samples in {out}")
    if "--measure" in sys.argv:
        print(report(measure(out, made)))
