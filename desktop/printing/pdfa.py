"""PDF/A-3b from a ReportLab PDF: XMP metadata, an sRGB output intent, and associated (embedded) files.

ReportLab draws the pages (fonts embedded, no encryption); pypdf adds what PDF/A asks of the document:
an XMP packet that says `pdfaid:part=3 conformance=B` and repeats the document information, the sRGB
OutputIntent (an ICC profile made by Pillow's littleCMS), and each embedded file as an associated file
(`/AF`, `/AFRelationship`, MIME subtype, size, dates, checksum). PDF/A-3, not PDF/A-2: only part 3
allows embedding files that are not themselves PDF/A, such as the letters as they were sent.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

PDFA_PART = 3
PDFA_CONFORMANCE = "B"


@dataclass(frozen=True)
class EmbeddedFile:
    """A file carried inside the document, shown in the reader's attachments panel."""

    name: str
    data: bytes
    media_type: str = "application/octet-stream"
    description: str = ""
    relationship: str = "Supplement"  # PDF/A-3 AFRelationship: Source, Data, Alternative, Supplement, ...


@dataclass(frozen=True)
class PdfaMetadata:
    title: str
    author: str
    subject: str
    language: str  # e.g. "fi-FI"
    created: datetime
    producer: str = "Kirjaamo"


@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """An sRGB ICC profile (littleCMS's built-in sRGB, through Pillow)."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _pdf_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def _xmp_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def xmp_packet(meta: PdfaMetadata) -> bytes:
    """The XMP metadata: PDF/A identification plus the same title, author, dates and producer as /Info."""
    created = _xmp_date(meta.created)
    lang = escape(meta.language)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>{PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li></rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>{created}</xmp:CreateDate>
   <xmp:ModifyDate>{created}</xmp:ModifyDate>
   <xmp:MetadataDate>{created}</xmp:MetadataDate>
   <xmp:CreatorTool>{escape(meta.producer)}</xmp:CreatorTool>
   <pdf:Producer>{escape(meta.producer)}</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def make_pdfa(pdf: bytes, meta: PdfaMetadata, files: Sequence[EmbeddedFile] = ()) -> bytes:
    """The ReportLab document `pdf` as PDF/A-3b with `files` embedded as associated files."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        TextStringObject,
        create_string_object,
    )

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    root = writer._root_object

    # Document information, matched item by item in the XMP packet (PDF/A asks both to agree).
    info = DictionaryObject()
    info[NameObject("/Title")] = create_string_object(meta.title)
    info[NameObject("/Author")] = create_string_object(meta.author)
    info[NameObject("/Subject")] = create_string_object(meta.subject)
    info[NameObject("/Creator")] = create_string_object(meta.producer)
    info[NameObject("/Producer")] = create_string_object(meta.producer)
    info[NameObject("/CreationDate")] = create_string_object(_pdf_date(meta.created))
    info[NameObject("/ModDate")] = create_string_object(_pdf_date(meta.created))
    writer._info = writer._add_object(info)

    metadata = DecodedStreamObject()  # not compressed: XMP stays readable to archive tools
    metadata.set_data(xmp_packet(meta))
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    root[NameObject("/Metadata")] = writer._add_object(metadata)
    root[NameObject("/Lang")] = TextStringObject(meta.language)

    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    profile = profile.flate_encode()
    intent = DictionaryObject()
    intent[NameObject("/Type")] = NameObject("/OutputIntent")
    intent[NameObject("/S")] = NameObject("/GTS_PDFA1")
    intent[NameObject("/OutputConditionIdentifier")] = TextStringObject("sRGB IEC61966-2.1")
    intent[NameObject("/Info")] = TextStringObject("sRGB IEC61966-2.1")
    intent[NameObject("/DestOutputProfile")] = writer._add_object(profile)
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])

    associated = ArrayObject()
    for file in files:
        embedded = writer.add_attachment(file.name, file.data)
        embedded.subtype = NameObject("/" + file.media_type)  # written as /application#2Fpdf
        embedded.size = NumberObject(len(file.data))
        embedded.creation_date = meta.created
        embedded.modification_date = meta.created
        embedded.checksum = ByteStringObject(hashlib.md5(file.data).digest())  # noqa: S324 - PDF's /CheckSum is MD5
        embedded.associated_file_relationship = NameObject("/" + file.relationship)
        embedded.alternative_name = TextStringObject(file.name)  # /UF
        if file.description:
            embedded.description = TextStringObject(file.description)
        associated.append(embedded.pdf_object.indirect_reference or writer._add_object(embedded.pdf_object))
    if associated:
        root[NameObject("/AF")] = associated

    # A permanent file identifier (both halves the same: this is the document's first version).
    identifier = ByteStringObject(hashlib.md5(pdf).digest())  # noqa: S324 - an identifier, not security
    writer._ID = ArrayObject([identifier, identifier])
    writer.pdf_header = b"%PDF-1.7"  # associated files (/AF) are PDF 2.0 / PDF/A-3 on a 1.7 base
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_files(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in a PDF, by name (for checking a dossier)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, bytes] = {}
    for name, contents in reader.attachments.items():
        found[name] = contents[0] if contents else b""
    return found


__all__ = ["EmbeddedFile", "PdfaMetadata", "embedded_files", "make_pdfa", "srgb_profile", "xmp_packet"]
