"""FILE_TYPE_INVALID, FILE_TOO_LARGE, FILE_CORRUPT: every upload, judged by its content.

The manual (seeds/002, part five) allows png, bmp and jpg for every document, mp4 for the
product video, 5 MB for the licence, statement, pledge and product pictures, and 20 MB for
the proof uploads ("证明文件": the economic proof and the production licence / certification,
"单个文件大小不得超过 20M") and for videos. The name of a file says nothing: a ``.jpg`` that
holds a PDF is a PDF. Decoded images go to ``ctx.decoded`` (a ``DecodedUpload`` each: image,
scale, document kind) for the document readers and the photo checks; files that fail go to
``ctx.bad_files`` so nobody reads them.
"""

from __future__ import annotations

from ..files import IMAGE_TYPES, FileProblem, check_mp4, decode_image, sniff
from ..pipeline import Check, ScreeningContext
from ..uploads import DecodedUpload

MB = 1024 * 1024

# document kind → (allowed content types, byte limit, the name the filer knows it by)
FILE_RULES: dict[str, tuple[frozenset[str], int, str]] = {
    "business_licence": (IMAGE_TYPES, 5 * MB, "营业执照"),
    "profit_statement": (IMAGE_TYPES, 5 * MB, "单位利润表"),
    "integrity_pledge": (IMAGE_TYPES, 5 * MB, "诚信承诺书"),
    "product_photo": (IMAGE_TYPES, 5 * MB, "产品主图"),
    "product_image": (IMAGE_TYPES, 5 * MB, "产品其它图片"),
    "economic_proof": (IMAGE_TYPES, 20 * MB, "经济效益证明材料"),
    "certification": (IMAGE_TYPES, 20 * MB, "生产许可/产品认证证明材料"),
    "product_video": (frozenset({"mp4"}), 20 * MB, "产品介绍视频"),
    # "上传营业执照或组织机构代码证（…支持png，bmp，jpg格式，大小不得超过5M）"
    "organisation_certificate": (IMAGE_TYPES, 5 * MB, "组织机构代码证"),
    # "若本单位无财务章，上述文件可替换为加盖单位公章，但须另附本单位无财务章的说明，且该说明需加盖公章。"
    "seal_explanation": (IMAGE_TYPES, 5 * MB, "无财务章说明"),
}

# the uploads of real-name verification (stage "entity"); the others belong to product filings
ENTITY_DOCUMENTS = frozenset({"business_licence", "organisation_certificate", "profit_statement", "integrity_pledge",
                              "seal_explanation"})

_TYPE_NAMES = {
    "jpg": "JPG", "png": "PNG", "bmp": "BMP", "mp4": "MP4", "pdf": "PDF", "gif": "GIF", "webp": "WebP",
    "tiff": "TIFF", "heic": "HEIC", "heif": "HEIF", "avif": "AVIF", "zip": "ZIP压缩包（或Word/Excel文档）",
    "rar": "RAR压缩包", "7z": "7z压缩包", "ole": "旧版Office文档", "mov": "MOV（QuickTime）", "3gp": "3GP",
    "avi": "AVI", "mkv": "MKV/WebM", "flv": "FLV", "svg": "SVG", "html": "网页", "unknown": "无法识别",
}


def type_name(detected: str) -> str:
    return _TYPE_NAMES.get(detected, detected.upper())


class FileCheck(Check):
    name = "files"
    part = "files"
    codes = ("FILE_TYPE_INVALID", "FILE_TOO_LARGE", "FILE_CORRUPT")

    def run(self, ctx: ScreeningContext) -> None:
        summary = ctx.extracted.setdefault("files", {})
        entity_stage = ctx.submission.stage == "entity"
        for i, doc in enumerate(ctx.submission.documents):
            field = f"documents[{i}].file"
            if entity_stage and doc.kind not in ENTITY_DOCUMENTS:
                continue  # real-name verification reviews the entity's own documents only
            allowed, limit, label = FILE_RULES[doc.kind]
            upload = ctx.files.get(doc.file)
            if upload is None:
                ctx.skip(field, f"{label}文件“{doc.file}”未随提交上传，无法检查其格式、大小和内容")
                continue
            data = upload.data
            detected = sniff(data)
            evidence = {"document": doc.kind, "file": doc.file, "detected": detected, "size": len(data), "limit": limit}
            summary[doc.file] = {"document": doc.kind, "detected": detected, "size": len(data)}
            if detected == "empty":
                ctx.add("FILE_CORRUPT", field, f"{label}“{doc.file}”是空文件（0字节）", evidence=evidence)
                ctx.bad_files.add(doc.file)
                continue
            bad = False
            if detected not in allowed:
                allowed_text = "、".join(type_name(t) for t in sorted(allowed))
                ctx.add(
                    "FILE_TYPE_INVALID", field,
                    f"{label}“{doc.file}”的实际格式为{type_name(detected)}{_name_note(doc.file, detected)}，"
                    f"只支持{allowed_text}格式",
                    evidence=evidence,
                )
                bad = True
            if len(data) > limit:
                ctx.add(
                    "FILE_TOO_LARGE", field,
                    f"{label}“{doc.file}”大小为{len(data) / MB:.1f}MB，超过{limit // MB}MB的上限",
                    evidence=evidence,
                )
                bad = True
            if bad:
                ctx.bad_files.add(doc.file)
                continue  # a file we will not accept is not decoded: bounded work for bad input
            try:
                if detected in IMAGE_TYPES:
                    decoded = decode_image(data, detected)
                    ctx.decoded[doc.file] = DecodedUpload(file=doc.file, kind=doc.kind, image=decoded.image,
                                                          scale=decoded.scale, original_size=decoded.original_size)
                    summary[doc.file].update(
                        width=decoded.original_size[0], height=decoded.original_size[1], scale=decoded.scale
                    )
                else:
                    info = check_mp4(data)
                    if not info.has_video_track:
                        ctx.add(
                            "FILE_TYPE_INVALID", field, f"{label}“{doc.file}”是MP4文件但不含视频轨道（仅音频或空）",
                            evidence={**evidence, "detected": "mp4 (no video track)"},
                        )
                        ctx.bad_files.add(doc.file)
            except FileProblem as problem:
                ctx.add(problem.code, field, f"{label}“{doc.file}”：{problem.message}", evidence={**evidence, **problem.detail})
                ctx.bad_files.add(doc.file)


def _name_note(name: str, detected: str) -> str:
    """"（文件名后缀为.jpg）" when the name claims something the content is not."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext and ext not in (detected, "jpeg" if detected == "jpg" else detected):
        return f"（文件名后缀为.{ext}，按文件内容判断）"
    return ""
