"""What an upload really is, judged by its bytes, and decoding it without letting it hurt us.

``sniff`` names the content type from magic bytes (a ``.jpg`` that is really a PDF is a PDF).
``decode_image`` reads the pixel size from the header *before* decoding and refuses images
over ``MAX_PIXELS`` (a 40 kB PNG can claim 50,000 × 50,000 pixels: a decompression bomb),
then decodes fully (a truncated file fails here, not later in OCR), and returns an RGB image
whose long side is at most ``MAX_SIDE`` pixels, with the original size kept. ``check_mp4``
walks the ISO-BMFF box structure: a file cut short, or one without a movie header or a video
track, is not a video the platform can play.

Nothing here knows about findings; ``screening.checks.files`` turns the errors into them.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_PIXELS = 60_000_000  # 60 megapixels: a 48 MP phone photo passes, a bomb does not
MAX_SIDE = 4000  # decoded images are downscaled to this long side (original size recorded)

IMAGE_TYPES = frozenset({"png", "jpg", "bmp"})
_PIL_FORMAT = {"png": "PNG", "jpg": "JPEG", "bmp": "BMP"}
_BMP_DIB_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

# ISO-BMFF brands (ftyp) by what they are; only the MP4 family is accepted for product videos.
_MP4_BRANDS = frozenset({
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9", b"mp41", b"mp42",
    b"mp71", b"avc1", b"dash", b"mmp4", b"MSNV", b"M4V ", b"M4VH", b"M4VP", b"XAVC", b"NDAS", b"NDSC",
    b"NDSH", b"NDSM", b"NDSP", b"NDSS", b"NDXC", b"NDXH", b"NDXM", b"NDXP", b"NDXS", b"hvc1", b"av01",
})
_OTHER_BRANDS = {
    b"qt  ": "mov", b"heic": "heic", b"heix": "heic", b"hevc": "heic", b"heim": "heic", b"heis": "heic",
    b"mif1": "heif", b"msf1": "heif", b"avif": "avif", b"avis": "avif", b"M4A ": "m4a", b"M4B ": "m4a",
    b"f4v ": "f4v", b"crx ": "cr3", b"jp2 ": "jp2",
}


class FileProblem(Exception):
    """The content cannot be used. ``code`` is FILE_CORRUPT or FILE_TOO_LARGE or FILE_TYPE_INVALID."""

    def __init__(self, code: str, message: str, **detail) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


@dataclass
class DecodedImage:
    image: Image.Image  # RGB, long side <= MAX_SIDE
    original_size: tuple[int, int]  # (width, height) as stored in the file
    scale: float  # decoded width / original width (1.0 when not downscaled)


def sniff(data: bytes) -> str:
    """The content type by magic bytes: png, jpg, bmp, mp4, or what else it is (pdf, zip, gif…)."""
    if not data:
        return "empty"
    head = data[:64]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"BM") and len(head) >= 18 and struct.unpack_from("<I", head, 14)[0] in _BMP_DIB_SIZES:
        return "bmp"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _ftyp_kind(data)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(head[8:12], "riff")
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mov"  # QuickTime without an ftyp box
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")):
        return "svg" if b"<svg" in data[:2048].lower() else "xml"
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "unknown"


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # .doc / .xls / .ppt
    (b"\x1a\x45\xdf\xa3", "mkv"),  # Matroska / WebM
    (b"FLV", "flv"),
    (b"\x00\x00\x01\xba", "mpeg"),
    (b"\x00\x00\x01\xb3", "mpeg"),
    (b"\x7fELF", "elf"),
    (b"MZ", "exe"),
    (b"\x00\x00\x00\x0cjP  ", "jp2"),
    (b"\xff\x0a", "jxl"),
)


def _ftyp_kind(data: bytes) -> str:
    size = struct.unpack_from(">I", data, 0)[0]
    major = data[8:12]
    if major in _MP4_BRANDS:
        return "mp4"
    if major in _OTHER_BRANDS:
        return _OTHER_BRANDS[major]
    if major.startswith(b"3g"):
        return "3gp"
    end = min(size, len(data), 4096) if size >= 16 else 16
    compatible = {data[i:i + 4] for i in range(16, end - 3, 4)}
    if compatible & _MP4_BRANDS:
        return "mp4"
    return "isobmff"


def image_header_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) from the header alone, without decoding; None if the header is unreadable."""
    try:
        if kind == "png":
            if data[12:16] != b"IHDR":
                return None
            return struct.unpack_from(">II", data, 16)
        if kind == "bmp":
            dib = struct.unpack_from("<I", data, 14)[0]
            if dib == 12:
                w, h = struct.unpack_from("<HH", data, 18)
            else:
                w, h = struct.unpack_from("<ii", data, 18)
            return abs(w), abs(h)
        if kind == "jpg":
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        length = struct.unpack_from(">H", data, i + 2)[0]
        if marker in _SOF:
            h, w = struct.unpack_from(">HH", data, i + 5)
            return w, h
        if marker == 0xDA or length < 2:  # start of scan before a frame header
            return None
        i += 2 + length
    return None


def decode_image(data: bytes, kind: str, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> DecodedImage:
    """Decode a png/jpg/bmp upload safely. Raises FileProblem (FILE_CORRUPT or FILE_TOO_LARGE)."""
    if kind not in IMAGE_TYPES:
        raise ValueError(f"not an image type: {kind}")
    size = image_header_size(data, kind)
    if size is None:
        raise FileProblem("FILE_CORRUPT", "图片文件头损坏，无法读取图片尺寸", error="header")
    _check_pixels(size, max_pixels)
    # Our cap is checked on our own header reading before Pillow sees the data, and it is below
    # Pillow's (Image.MAX_IMAGE_PIXELS, 89 MP), so Pillow's DecompressionBombWarning cannot fire
    # for an image we go on to decode; DecompressionBombError is caught below all the same.
    try:
        img = Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[kind]])
        original = img.size
        _check_pixels(original, max_pixels)  # the header Pillow read, if it disagrees with ours
        if kind == "jpg":
            img.draft("RGB", (max_side, max_side))  # decode a large JPEG at 1/2, 1/4 or 1/8 scale
        img.load()
        if kind == "jpg" and img.getexif().get(0x0112, 1) != 1:
            img = ImageOps.exif_transpose(img)  # phone photos: upright as the reviewer sees them
        rgb = _to_rgb(img)
    except FileProblem:
        raise
    except Image.DecompressionBombError as exc:
        raise FileProblem("FILE_TOO_LARGE", f"图片像素尺寸过大，拒绝解码：{exc}", error="DecompressionBombError") from None
    except Exception as exc:  # truncated data, bad CRC, unsupported sub-format: all "cannot be decoded"
        raise FileProblem("FILE_CORRUPT", _corrupt_message(exc), error=type(exc).__name__, detail=str(exc)[:200]) from None
    if original[0] < 1 or original[1] < 1:
        raise FileProblem("FILE_CORRUPT", "图片尺寸为0，无法打开", error="empty")
    if max(rgb.size) > max_side:
        # bilinear after Pillow's integer pre-reduction: a third of LANCZOS's time, and the
        # readers resize again anyway
        rgb.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    scale = max(rgb.size) / max(original)  # the long side survives an EXIF rotation
    rgb.info["original_size"] = original
    return DecodedImage(image=rgb, original_size=original, scale=round(scale, 6))


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    w, h = size
    if w * h > max_pixels:
        raise FileProblem(
            "FILE_TOO_LARGE",
            f"图片像素尺寸过大（{w}×{h}，超过{max_pixels / 10_000:g}万像素上限），拒绝解码",
            width=w, height=h, pixels=w * h, pixel_limit=max_pixels,
        )


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB for the readers; transparent areas become white (a scan's paper), not black."""
    if img.mode == "RGB":
        return img
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit / float greyscale: stretch to 8 bits before colour conversion
        lo, hi = img.getextrema()
        span = (hi - lo) or 1
        img = img.point(lambda v: (v - lo) * 255.0 / span).convert("L")
    return img.convert("RGB")


def _corrupt_message(exc: Exception) -> str:
    text = str(exc).lower()
    if "truncated" in text or isinstance(exc, EOFError):
        return "图片文件不完整（被截断），无法完整解码"
    return "图片文件已损坏，无法解码"


@dataclass
class Mp4Info:
    boxes: list[str]  # top-level box types, in order
    has_video_track: bool


_CONTAINERS = (b"moov", b"trak", b"mdia")


def check_mp4(data: bytes) -> Mp4Info:
    """Walk the top-level boxes and the moov/trak/mdia/hdlr path. Raises FileProblem."""
    top = _walk_boxes(data, 0, len(data), top_level=True)
    types = [t.decode("latin-1") for t, _, _ in top]
    if b"moov" not in (t for t, _, _ in top):
        raise FileProblem("FILE_CORRUPT", "MP4文件缺少moov（影片头）结构，无法播放", error="no_moov", boxes=types[:20])
    if not any(t in (b"mdat", b"moof") for t, _, _ in top):
        raise FileProblem("FILE_CORRUPT", "MP4文件不含媒体数据（mdat），无法播放", error="no_mdat", boxes=types[:20])
    has_video = False
    for t, start, end in top:
        if t == b"moov":
            has_video = has_video or _has_video_track(data, start, end)
    return Mp4Info(boxes=types, has_video_track=has_video)


def _walk_boxes(data: bytes, start: int, end: int, *, top_level: bool = False) -> list[tuple[bytes, int, int]]:
    """[(type, payload_start, box_end)] of the boxes in data[start:end]; raises on a broken structure."""
    boxes: list[tuple[bytes, int, int]] = []
    pos = start
    while pos < end:
        if end - pos < 8:
            if top_level and not data[pos:end].strip(b"\x00"):
                break  # zero padding at the end of the file
            raise FileProblem("FILE_CORRUPT", "MP4文件结构不完整（末尾被截断）", error="truncated_header", offset=pos)
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise FileProblem("FILE_CORRUPT", "MP4文件结构不完整（末尾被截断）", error="truncated_header", offset=pos)
            size = struct.unpack_from(">Q", data, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos  # extends to the end of the enclosing box / file
        if size < header:
            raise FileProblem("FILE_CORRUPT", "MP4文件结构损坏（盒子长度无效）", error="bad_box_size", offset=pos)
        if pos + size > end:
            raise FileProblem(
                "FILE_CORRUPT", "MP4文件不完整（被截断），无法播放", error="truncated", offset=pos,
                box=kind.decode("latin-1"), declared=size, available=end - pos,
            )
        boxes.append((kind, pos + header, pos + size))
        pos += size
        if len(boxes) > 100_000:
            raise FileProblem("FILE_CORRUPT", "MP4文件结构异常（盒子数量过多）", error="too_many_boxes")
    return boxes


def _has_video_track(data: bytes, start: int, end: int, depth: int = 0) -> bool:
    if depth > 4:
        return False
    for kind, s, e in _walk_boxes(data, start, end):
        if kind == b"hdlr" and e - s >= 12 and data[s + 8:s + 12] == b"vide":
            return True
        if kind in _CONTAINERS and _has_video_track(data, s, e, depth + 1):
            return True
    return False
