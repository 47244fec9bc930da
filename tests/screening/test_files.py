"""Uploads judged by content: sniffing, safe image decoding, MP4 structure, and the FileCheck findings."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from screening.checks.files import MB, FileCheck
from screening.files import MAX_SIDE, FileProblem, check_mp4, decode_image, image_header_size, sniff
from screening.parsing import parse_submission
from screening.pipeline import Pipeline, UploadedFile


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def rgb(w=120, h=80, colour=(200, 30, 30)) -> Image.Image:
    return Image.new("RGB", (w, h), colour)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims width × height pixels (a decompression bomb)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def mp4(boxes: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(struct.pack(">I", 8 + len(p)) + t + p for t, p in boxes)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


FTYP = (b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
VIDEO_MOOV = (b"moov", box(b"trak", box(b"mdia", box(b"hdlr", b"\x00" * 8 + b"vide" + b"\x00" * 12))))
AUDIO_MOOV = (b"moov", box(b"trak", box(b"mdia", box(b"hdlr", b"\x00" * 8 + b"soun" + b"\x00" * 12))))


# ---------------------------------------------------------------------------- sniffing

@pytest.mark.parametrize(
    "data, kind",
    [
        (encode(rgb(), "PNG"), "png"),
        (encode(rgb(), "JPEG"), "jpg"),
        (encode(rgb(), "BMP"), "bmp"),
        (encode(rgb(), "GIF"), "gif"),
        (encode(rgb(), "WEBP"), "webp"),
        (encode(rgb(), "TIFF"), "tiff"),
        (b"%PDF-1.7\n...", "pdf"),
        (b"PK\x03\x04rest-of-a-docx", "zip"),
        (b"Rar!\x1a\x07\x00", "rar"),
        (b"\x00\x00\x00\x18ftypqt  \x00\x00\x00\x00qt  ", "mov"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic"),
        (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41", "mp4"),
        (b"\x00\x00\x00\x18ftypXYZW\x00\x00\x00\x00mp42", "mp4"),  # unknown major, mp4-compatible
        (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", "3gp"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (b"BM but not a bitmap at all, just text", "unknown"),
        (b"hello", "unknown"),
        (b"", "empty"),
    ],
)
def test_sniff_by_content(data, kind):
    assert sniff(data) == kind


def test_header_sizes_without_decoding():
    assert image_header_size(encode(rgb(123, 45), "PNG"), "png") == (123, 45)
    assert image_header_size(encode(rgb(123, 45), "JPEG"), "jpg") == (123, 45)
    assert image_header_size(encode(rgb(123, 45), "BMP"), "bmp") == (123, 45)
    assert image_header_size(encode(rgb(123, 45), "JPEG", progressive=True), "jpg") == (123, 45)
    assert image_header_size(png_claiming(50_000, 50_000), "png") == (50_000, 50_000)
    assert image_header_size(b"\xff\xd8\xff\xda\x00\x02", "jpg") is None


# ---------------------------------------------------------------------------- decoding

@pytest.mark.parametrize("fmt, kind", [("PNG", "png"), ("JPEG", "jpg"), ("BMP", "bmp")])
def test_decodes_to_rgb_with_original_size(fmt, kind):
    d = decode_image(encode(rgb(300, 200), fmt), kind)
    assert d.image.mode == "RGB" and d.image.size == (300, 200)
    assert d.original_size == (300, 200) and d.scale == 1.0


def test_one_by_one_image_decodes():
    d = decode_image(encode(rgb(1, 1), "PNG"), "png")
    assert d.image.size == (1, 1)


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(FileProblem) as e:
        decode_image(png_claiming(50_000, 50_000), "png")
    assert e.value.code == "FILE_TOO_LARGE"
    assert e.value.detail["pixels"] == 2_500_000_000 and "像素" in e.value.message


def test_pixel_cap_is_a_parameter():
    with pytest.raises(FileProblem) as e:
        decode_image(encode(rgb(200, 200), "PNG"), "png", max_pixels=10_000)
    assert e.value.code == "FILE_TOO_LARGE"


@pytest.mark.parametrize("fmt, kind", [("PNG", "png"), ("JPEG", "jpg"), ("BMP", "bmp")])
def test_truncated_images_are_corrupt(fmt, kind):
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8))
    data = encode(noise, fmt)
    with pytest.raises(FileProblem) as e:
        decode_image(data[: len(data) // 2], kind)
    assert e.value.code == "FILE_CORRUPT"


def test_garbage_after_a_valid_header_is_corrupt():
    data = bytearray(encode(rgb(), "PNG"))
    data[40:60] = b"\xff" * 20  # inside IDAT: CRC and zlib stream broken
    with pytest.raises(FileProblem) as e:
        decode_image(bytes(data), "png")
    assert e.value.code == "FILE_CORRUPT"


def test_large_images_are_downscaled_keeping_the_original_size():
    d = decode_image(encode(rgb(MAX_SIDE + 1000, 500), "PNG"), "png")
    assert max(d.image.size) == MAX_SIDE
    assert d.original_size == (MAX_SIDE + 1000, 500)
    assert d.scale == pytest.approx(MAX_SIDE / (MAX_SIDE + 1000), rel=1e-3)
    assert d.image.info["original_size"] == d.original_size


def test_transparent_png_becomes_white_not_black():
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    d = decode_image(encode(img, "PNG"), "png")
    assert d.image.getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_greyscale_png_decodes():
    arr = (np.arange(100 * 100, dtype=np.uint16).reshape(100, 100) * 6)
    d = decode_image(encode(Image.fromarray(arr), "PNG"), "png")
    assert d.image.mode == "RGB"
    assert d.image.getpixel((0, 0))[0] < d.image.getpixel((99, 99))[0]


def test_exif_rotation_is_applied_to_jpeg():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    d = decode_image(encode(rgb(300, 100), "JPEG", exif=exif), "jpg")
    assert d.image.size == (100, 300) and d.original_size == (300, 100)


def test_real_document_images_decode(realdata):
    paths = sorted(p for p in (realdata / "doc_images").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    assert len(paths) == 14
    for p in paths:
        data = p.read_bytes()
        kind = sniff(data)
        assert kind in ("jpg", "png"), p.name
        d = decode_image(data, kind)
        assert d.image.mode == "RGB" and max(d.image.size) <= MAX_SIDE
    # the balance sheet is named .png but is a JPEG: content decides
    assert sniff((realdata / "doc_images/financial_statements/RapidAI_TableStructureRec_wired_table6_balance_sheet.png").read_bytes()) == "jpg"


# ---------------------------------------------------------------------------- MP4

def test_real_encoder_output_is_a_playable_mp4(tmp_path):
    cv2 = pytest.importorskip("cv2")
    path = tmp_path / "clip.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 5, (64, 48))
    assert writer.isOpened()
    for i in range(5):
        writer.write(np.full((48, 64, 3), i * 40, np.uint8))
    writer.release()
    data = path.read_bytes()
    assert sniff(data) == "mp4"
    info = check_mp4(data)
    assert info.has_video_track and "moov" in info.boxes
    with pytest.raises(FileProblem) as e:
        check_mp4(data[: len(data) - 50])
    assert e.value.code == "FILE_CORRUPT"


def test_hand_built_mp4_structures():
    assert check_mp4(mp4([FTYP, (b"mdat", b"\x00" * 100), VIDEO_MOOV])).has_video_track
    assert not check_mp4(mp4([FTYP, (b"mdat", b"\x00" * 100), AUDIO_MOOV])).has_video_track
    with pytest.raises(FileProblem, match="moov"):
        check_mp4(mp4([FTYP, (b"mdat", b"\x00" * 100)]))
    with pytest.raises(FileProblem, match="mdat"):
        check_mp4(mp4([FTYP, VIDEO_MOOV]))
    bad_size = mp4([FTYP]) + struct.pack(">I", 4) + b"mdat"
    with pytest.raises(FileProblem):
        check_mp4(bad_size)


# ---------------------------------------------------------------------------- the check

def submission_with(documents: list[dict]) -> dict:
    return {
        "submission_id": "files-1",
        "stage": "product",
        "entity": {"uscc": "914403001922038216", "name": "华为技术有限公司", "kind": "enterprise"},
        "documents": documents,
    }


def run_files(documents, files):
    sub = parse_submission(submission_with(documents))
    report = Pipeline([FileCheck()]).screen(sub, {n: UploadedFile(n, d) for n, d in files.items()})
    return report


def screen_ctx(documents, files):
    """The context after FileCheck ran (for ctx.decoded / ctx.bad_files)."""
    from datetime import date

    from screening.pipeline import Resources, ScreeningContext

    sub = parse_submission(submission_with(documents))
    ctx = ScreeningContext(sub, {n: UploadedFile(n, d) for n, d in files.items()}, Resources(), date(2026, 11, 20))
    FileCheck().run(ctx)
    return ctx


def test_good_uploads_are_decoded_for_the_readers():
    ctx = screen_ctx(
        [{"kind": "business_licence", "file": "licence.jpg"}, {"kind": "integrity_pledge", "file": "pledge.bmp"}],
        {"licence.jpg": encode(rgb(), "JPEG"), "pledge.bmp": encode(rgb(), "BMP")},
    )
    assert ctx.findings == []
    assert set(ctx.decoded) == {"licence.jpg", "pledge.bmp"} and not ctx.bad_files
    assert ctx.extracted["files"]["licence.jpg"]["detected"] == "jpg"
    licence = ctx.decoded["licence.jpg"]
    assert (licence.file, licence.kind, licence.image.mode) == ("licence.jpg", "business_licence", "RGB")
    # the report's file summary and the decoded value say the same scale and size
    summary = ctx.extracted["files"]["licence.jpg"]
    assert licence.scale == summary["scale"] and licence.original_size == (summary["width"], summary["height"])


def test_a_downscaled_upload_carries_its_scale():
    from screening.files import MAX_SIDE

    ctx = screen_ctx([{"kind": "business_licence", "file": "big.png"}],
                     {"big.png": encode(Image.new("RGB", (MAX_SIDE * 2, 100), (200, 200, 200)), "PNG")})
    decoded = ctx.decoded["big.png"]
    assert decoded.scale == 0.5 and max(decoded.image.size) == MAX_SIDE
    assert decoded.original_size == (MAX_SIDE * 2, 100)


def test_a_pdf_named_jpg_is_the_wrong_type():
    report = run_files([{"kind": "business_licence", "file": "licence.jpg"}], {"licence.jpg": b"%PDF-1.4\n..."})
    (f,) = report.findings
    assert f.code == "FILE_TYPE_INVALID" and f.severity == "block" and f.field == "documents[0].file"
    assert f.evidence == {"document": "business_licence", "file": "licence.jpg", "detected": "pdf", "size": 12,
                          "limit": 5 * MB}
    assert "PDF" in f.message and ".jpg" in f.message and f.source == "rules"


def test_a_jpeg_named_png_is_fine():
    report = run_files([{"kind": "product_photo", "file": "photo.png"}], {"photo.png": encode(rgb(), "JPEG")})
    assert report.findings == []


def test_video_must_be_mp4_and_images_must_not_be():
    clip = mp4([FTYP, (b"mdat", b"\x00" * 10), VIDEO_MOOV])
    report = run_files(
        [{"kind": "product_video", "file": "v.mp4"}, {"kind": "product_video", "file": "v.mov"},
         {"kind": "product_image", "file": "clip.jpg"}],
        {"v.mp4": clip, "v.mov": b"\x00\x00\x00\x18ftypqt  \x00\x00\x00\x00qt  ", "clip.jpg": clip},
    )
    assert sorted((f.code, f.field) for f in report.findings) == [
        ("FILE_TYPE_INVALID", "documents[1].file"), ("FILE_TYPE_INVALID", "documents[2].file")]


def test_audio_only_mp4_is_not_a_video():
    report = run_files([{"kind": "product_video", "file": "a.mp4"}],
                       {"a.mp4": mp4([FTYP, (b"mdat", b"\x00" * 10), AUDIO_MOOV])})
    assert [f.code for f in report.findings] == ["FILE_TYPE_INVALID"]


def test_size_limits_per_document_kind():
    # a valid JPEG padded past 5 MB (bytes after EOI are ignored by decoders)
    big = encode(rgb(), "JPEG") + b"\x00" * (5 * MB)
    report = run_files(
        [{"kind": "business_licence", "file": "l.jpg"}, {"kind": "economic_proof", "file": "p.jpg"}],
        {"l.jpg": big, "p.jpg": big},
    )
    (f,) = report.findings
    assert f.code == "FILE_TOO_LARGE" and f.field == "documents[0].file"
    assert f.evidence["limit"] == 5 * MB and f.evidence["size"] == len(big)


def test_wrong_type_and_too_large_are_both_reported_and_nothing_is_decoded():
    ctx = screen_ctx([{"kind": "business_licence", "file": "l.jpg"}], {"l.jpg": b"%PDF" + b"\x00" * (6 * MB)})
    assert sorted(f.code for f in ctx.findings) == ["FILE_TOO_LARGE", "FILE_TYPE_INVALID"]
    assert ctx.bad_files == {"l.jpg"} and ctx.decoded == {}


def test_corrupt_and_bomb_and_empty_files():
    jpeg = encode(Image.fromarray(np.random.default_rng(1).integers(0, 255, (100, 100, 3), dtype=np.uint8)), "JPEG")
    ctx = screen_ctx(
        [{"kind": "business_licence", "file": "cut.jpg"}, {"kind": "profit_statement", "file": "bomb.png"},
         {"kind": "integrity_pledge", "file": "empty.png"}],
        {"cut.jpg": jpeg[:2000], "bomb.png": png_claiming(40_000, 40_000), "empty.png": b""},
    )
    codes = {f.evidence["file"]: f.code for f in ctx.findings}
    assert codes == {"cut.jpg": "FILE_CORRUPT", "bomb.png": "FILE_TOO_LARGE", "empty.png": "FILE_CORRUPT"}
    assert ctx.bad_files == {"cut.jpg", "bomb.png", "empty.png"} and ctx.decoded == {}


def test_a_document_without_its_file_is_skipped_not_failed():
    report = run_files([{"kind": "business_licence", "file": "missing.jpg"}], {})
    (f,) = report.findings
    assert f.code == "CHECK_SKIPPED" and f.field == "documents[0].file" and "missing.jpg" in f.message
    assert report.status == "complete"


def test_real_licences_pass_the_file_check(realdata):
    folder = realdata / "doc_images" / "business_licenses"
    names = sorted(p.name for p in folder.iterdir())
    docs = [{"kind": "business_licence", "file": n} for n in names]
    ctx = screen_ctx(docs, {n: (folder / n).read_bytes() for n in names})
    assert ctx.findings == [] and set(ctx.decoded) == set(names)
    assert all(d.image.mode == "RGB" for d in ctx.decoded.values())
