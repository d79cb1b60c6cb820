"""The photo checker and fixer (issue 13) on a corpus the tests draw (``tests/photo_corpus.py``):
OpenCV's real Haar cascade finds the drawn faces, so verdicts go through the real detector;
the head-position geometry is also tested with detectors that return chosen boxes."""

import io

import numpy as np
import pytest
from django.utils import translation
from PIL import Image

from cases.uploads.photo import (
    PhotoRules,
    check_photo,
    haar_faces,
    problem_text,
)
from cases.uploads.photo_fix import crop_box, fix_photo
from tests.photo_corpus import CORPUS, portrait

RULES = PhotoRules()


def _decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def test_the_drawn_face_is_found_by_opencvs_own_cascade():
    grey = np.asarray(_decoded(portrait()).convert("L"))
    assert len(haar_faces(grey)) == 1
    assert haar_faces(np.full((516, 387), 246, np.uint8)) == []


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_corpus_photo_gets_the_expected_verdict(name):
    make, expected, _fixable = CORPUS[name]
    report = check_photo(make(), RULES)
    assert set(report.codes) == expected, report.codes
    assert report.passed is (not expected)
    for problem in report.problems:  # every failed check says what to do
        assert problem.text
        assert "%(" not in problem.text


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_fixer_output_meets_every_limit(name):
    make, _expected, fixable = CORPUS[name]
    data = make()
    fixed = fix_photo(data, RULES)
    if not fixable:
        assert fixed is None
        return
    assert fixed is not None
    img = _decoded(fixed.data)
    assert img.format == "JPEG"
    assert img.mode == "RGB"
    assert RULES.min_bytes <= len(fixed.data) <= RULES.max_bytes
    assert RULES.min_width <= img.width <= RULES.max_width
    assert RULES.min_height <= img.height <= RULES.max_height
    assert abs(img.width / img.height - 0.75) < 0.01
    assert (img.width, img.height) == (fixed.width, fixed.height)
    again = check_photo(fixed.data, RULES)
    assert again.passed, again.codes
    assert len(again.faces) == 1
    assert [f.code for f in fixed.fixes][-1] == "jpeg"


def test_messages_for_the_right_cases():
    assert "JPEG" in problem_text("format", {})
    report = check_photo(CORPUS["too_big"][0](), RULES)
    texts = [p.text for p in report.problems]
    assert any("2000 × 3000 pixels" in t and "354 to 420" in t for t in texts)
    assert any("at most 117 KB" in t for t in texts)
    assert any("3:4" in t for t in texts)
    blue = check_photo(CORPUS["blue_background"][0](), RULES)
    assert "white" in blue.problems[0].text
    two = check_photo(CORPUS["two_faces"][0](), RULES)
    assert "We found 2 faces" in two.problems[0].text


def test_messages_are_in_chinese_for_a_chinese_reader():
    report = check_photo(CORPUS["two_faces"][0](), RULES)
    with translation.override("zh-hans"):
        text = report.problems[0].text
    assert "2" in text
    assert "faces" not in text


def test_a_light_grey_background_is_made_white_without_touching_the_face():
    data = portrait(background=(172, 172, 170), quality=97)
    report = check_photo(data, RULES)
    assert report.codes == ["background_dark"]
    fixed = fix_photo(data, RULES, report=report)
    assert fixed is not None
    assert "background" in [f.code for f in fixed.fixes]
    rgb = np.asarray(_decoded(fixed.data).convert("RGB")).astype(int)
    assert rgb[:10, :, :].mean() > 245  # the top band is white now
    # The middle of the face keeps its skin tone (R, G, B of the drawing: 220, 180, 150).
    h, w = rgb.shape[:2]
    centre = rgb[h * 40 // 100 : h * 48 // 100, w * 45 // 100 : w * 55 // 100].mean(axis=(0, 1))
    assert centre[0] - centre[2] > 40


def test_a_tilted_head_is_not_found_and_told_to_look_straight():
    report = check_photo(portrait(rotate=30, quality=97), RULES)
    assert "no_face" in report.codes
    assert "Look straight at the camera" in problem_text("no_face", {})
    assert fix_photo(portrait(rotate=30, quality=97), RULES) is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "unreadable"),
        (b"not an image at all", "unreadable"),
        (portrait()[:2000], "unreadable"),  # cut off mid-scan
    ],
)
def test_undecodable_data_is_a_problem_not_an_exception(data, code):
    report = check_photo(data, RULES)
    assert report.codes == [code]
    assert fix_photo(data, RULES) is None


def test_a_black_and_white_photo_is_not_full_colour_and_not_fixed():
    img = _decoded(portrait()).convert("L")
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=97)
    report = check_photo(buf.getvalue(), RULES)
    assert "colour" in report.codes
    assert fix_photo(buf.getvalue(), RULES) is None


def _box_detector(*boxes):  # type: ignore[no-untyped-def]
    return lambda grey: list(boxes)


@pytest.mark.parametrize(
    ("box", "codes"),
    [
        ((85, 110, 217, 217), []),  # 56 % wide, centred, centre at 42 % of the height
        ((20, 110, 100, 100), ["face_small", "face_off_centre"]),
        ((0, 0, 380, 380), ["face_large"]),
        ((85, 300, 217, 217), ["face_low"]),
        ((85, 10, 217, 217), ["face_high"]),
        ((10, 110, 217, 217), ["face_off_centre"]),
    ],
)
def test_head_position_band_with_a_chosen_detection(box, codes):
    report = check_photo(portrait(quality=95), RULES, detector=_box_detector(box))
    assert report.analysis_size == (387, 516)
    assert [c for c in report.codes if c.startswith("face_")] == codes


def test_small_stray_detections_do_not_count_as_a_second_face():
    stray = (5, 5, 40, 40)
    report = check_photo(
        portrait(quality=95), RULES, detector=_box_detector((85, 110, 217, 217), stray)
    )
    assert "many_faces" not in report.codes


def test_crop_box_keeps_the_ratio_and_stays_inside_the_image():
    x, y, w, h = crop_box((100, 100, 200, 200), (1200, 900), 0.75)
    assert abs(w / h - 0.75) < 0.01
    assert x >= 0
    assert y >= 0
    assert x + w <= 1200
    assert y + h <= 900
    assert x <= 100
    assert x + w >= 300
    # A face too large for the frame: the crop shrinks to the image, still at the ratio.
    x, y, w, h = crop_box((0, 0, 380, 380), (400, 400), 0.75)
    assert w <= 400
    assert h <= 400
    assert abs(w / h - 0.75) < 0.01


def test_a_12_megapixel_phone_photo_is_checked_on_a_reduced_decode():
    data = portrait(4000, 3000, face_width=0.2, centre=(0.5, 0.4), quality=85)
    report = check_photo(data, RULES)
    assert (report.width, report.height) == (4000, 3000)
    assert max(report.analysis_size) == 640
    assert {"dimensions", "bytes_large", "ratio"} <= set(report.codes)
    fixed = fix_photo(data, RULES, report=report)
    assert fixed is not None
    assert check_photo(fixed.data, RULES).passed


def _encoded(img: Image.Image, fmt: str, **options) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


ODD = {
    "one pixel": (lambda: _encoded(Image.new("RGB", (1, 1), "white"), "JPEG"), "dimensions"),
    "a strip": (lambda: _encoded(Image.new("RGB", (5000, 10), "white"), "JPEG"), "ratio"),
    "CMYK JPEG": (lambda: _encoded(_decoded(portrait()).convert("CMYK"), "JPEG"), "colour"),
    "PNG with alpha": (lambda: _encoded(_decoded(portrait()).convert("RGBA"), "PNG"), "colour"),
    "GIF": (lambda: _encoded(_decoded(portrait()), "GIF"), "format"),
    "16-bit grey PNG": (
        lambda: _encoded(
            Image.fromarray(np.asarray(_decoded(portrait()).convert("L")).astype(np.uint16) * 256),
            "PNG",
        ),
        "colour",
    ),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_images_get_sentences_not_exceptions(name):
    make, code = ODD[name]
    data = make()
    report = check_photo(data, RULES)
    assert code in report.codes
    assert all(p.text for p in report.problems)
    fixed = fix_photo(data, RULES, report=report)
    assert fixed is None or check_photo(fixed.data, RULES).passed


def test_a_cmyk_photo_is_fixed_by_saving_it_as_colour_jpeg():
    data = _encoded(_decoded(portrait()).convert("CMYK"), "JPEG", quality=95)
    fixed = fix_photo(data, RULES)
    assert fixed is not None
    assert [f.code for f in fixed.fixes] == ["jpeg"]
    assert _decoded(fixed.data).mode == "RGB"
