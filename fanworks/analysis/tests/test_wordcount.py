from fanworks.analysis.text.wordcount import count_words, count_words_in_html


def test_counts_space_separated_words_ignoring_lone_punctuation():
    assert count_words("The tide — it turned, again.") == 5


def test_counts_chinese_japanese_korean_and_thai_per_character():
    assert count_words("你好世界") == 4
    assert count_words("こんにちは") == 5
    assert count_words("안녕") == 2
    # Thai vowel and tone marks combine with a consonant and are not counted on their own.
    assert count_words("สวัสดี") == 4


def test_mixed_scripts_count_each_part_its_own_way():
    assert count_words("Hello 世界 again") == 4


def test_html_is_stripped_and_block_boundaries_separate_words():
    assert count_words_in_html("<p>one<b>two</b></p><p>three</p>") == 2
    assert count_words_in_html("<p>one</p><p>two &amp; three</p>") == 3
