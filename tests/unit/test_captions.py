"""Caption and credit recognition in lines and in running text."""

from search.ingest.captions import dedupe_captions, split_caption_line, split_inline


def test_line_ending_in_photo_credit():
    assert (split_caption_line("The Beijing office of ByteDance Photo: VCG")
            == ("The Beijing office of ByteDance", "VCG"))


def test_line_with_agency_credit_needs_a_caption_opening():
    assert split_caption_line("Photo taken on Aug. 21, 2020 shows a logo. (Xinhua)") == (
        "Photo taken on Aug. 21, 2020 shows a logo.",
        "Xinhua",
    )
    # Wire copy ending in an agency name is body text, not a caption.
    assert split_caption_line("The ministry said exports rose 5 percent. (Xinhua)") is None


def test_body_line_is_not_a_caption():
    assert split_caption_line("ByteDance said it would strictly follow the new rules.") is None


def test_inline_caption_glued_to_first_sentence():
    split = split_inline("Belarusian President Alexander Lukashenko Photo: VCG "
                         "More European leaders are planning to visit.")
    assert split.captions == ["Belarusian President Alexander Lukashenko"]
    assert split.credits == ["VCG"]
    assert split.body == ["More European leaders are planning to visit."]


def test_inline_illustration_credit_with_slash():
    split = split_inline("Illustration: Chen Xian/Global Times There are still no indications of peace.")
    assert split.captions == []
    assert split.credits == ["Chen Xian/Global Times"]
    assert split.body == ["There are still no indications of peace."]


def test_repeated_captions_collapse():
    assert dedupe_captions(["A flock of starlings.", "A flock of starlings.", "A  flock of starlings."]) == [
        "A flock of starlings."
    ]


def test_shorter_copy_inside_a_longer_caption_is_dropped():
    long = "Photo taken on Aug. 21 shows a logo of TikTok. TikTok confirmed Saturday it will sue."
    short = "Photo taken on Aug. 21 shows a logo of TikTok."
    assert dedupe_captions([long, short]) == [long]
