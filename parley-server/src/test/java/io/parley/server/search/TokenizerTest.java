package io.parley.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tokenizer both stores index with, and the snippets made with it. */
class TokenizerTest {
    @Test
    void latinWords_areFoldedForCaseAccentsAndCompatibilityForms() {
        assertThat(Tokenizer.index("Café CRÈME Straße Ｆｕｌｌ Øre naïve İstanbul").words())
                .containsExactly("cafe", "creme", "strasse", "full", "ore", "naive", "istanbul");
        assertThat(Tokenizer.index("cafe\u0301").words()).containsExactly("cafe");
    }

    @Test
    void asciiWords_foldAsTheUnicodePathFoldsThem() {
        java.util.Random r = new java.util.Random(17);
        for (int i = 0; i < 10_000; i++) {
            StringBuilder w = new StringBuilder();
            for (int len = r.nextInt(80); w.length() < len; ) {
                w.append((char) (0x20 + r.nextInt(0x5f)));
            }
            assertThat(Tokenizer.foldWord(w.toString())).as("%s", w).isEqualTo(Tokenizer.foldUnicode(w.toString()));
        }
        assertThat(Tokenizer.foldWord("Report2026")).isEqualTo("report2026");
    }

    @Test
    void noCodePointBelowTheFirstCjkOne_isOfACjkScript() {
        java.util.Set<Character.UnicodeScript> cjk = java.util.EnumSet.of(
                Character.UnicodeScript.HAN,
                Character.UnicodeScript.HIRAGANA,
                Character.UnicodeScript.KATAKANA,
                Character.UnicodeScript.HANGUL);
        for (int cp = 0; cp < Tokenizer.FIRST_CJK; cp++) {
            assertThat(cjk).as("U+%04X", cp).doesNotContain(Character.UnicodeScript.of(cp));
        }
        assertThat(Character.UnicodeScript.of(Tokenizer.FIRST_CJK)).isEqualTo(Character.UnicodeScript.HANGUL);
        assertThat(Tokenizer.isCjk(Tokenizer.FIRST_CJK)).isTrue();
        assertThat(Tokenizer.isCjk('z')).isFalse();
    }

    @Test
    void punctuationSymbolsEmojiAndControls_separateWords() {
        assertThat(Tokenizer.index("a*b(c)d:e\"f\u0000g🙂h-i_j").words())
                .containsExactly("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        assertThat(Tokenizer.index("  ,.;!  ").isEmpty()).isTrue();
        assertThat(Tokenizer.index(null).isEmpty()).isTrue();
    }

    @Test
    void cjkRuns_giveBigramsInTheWordStream_andEveryCharacterAsAUnigram() {
        Tokenizer.Tokens t = Tokenizer.index("去上海开会");
        assertThat(t.words()).containsExactly("去上", "上海", "海开", "开会");
        assertThat(t.chars()).containsExactly("去", "上", "海", "开", "会");
        assertThat(Tokenizer.index("東京タワー").words()).containsExactly("東京", "京タ", "タワ", "ワー");
        assertThat(Tokenizer.index("한국어를").words()).containsExactly("한국", "국어", "어를");
        assertThat(Tokenizer.index("猫").words()).containsExactly("猫");
        // Half-width katakana fold to full width, as NFKC does.
        assertThat(Tokenizer.index("ﾀﾜｰ").words()).containsExactly("タワ", "ワー");
    }

    @Test
    void mixedText_keepsItsOrder() {
        assertThat(Tokenizer.index("report上海2024 office").words()).containsExactly("report", "上海", "2024", "office");
    }

    @Test
    void longWords_areCut() {
        assertThat(Tokenizer.index("x".repeat(500)).words().get(0)).hasSize(Tokenizer.MAX_TOKEN_CHARS);
    }

    @Test
    void snippet_marksTheMatches_inPlainText_aroundTheFirstOne() {
        String body = "x ".repeat(100) + "we meet in 上海 at the Café, then CAFES";
        Snippets.Snippet s = Snippets.of(body, SearchQuery.parse("上海 cafe"));
        List<String> marked = new ArrayList<>();
        for (int[] r : s.ranges()) {
            marked.add(s.text().substring(r[0], r[1]));
        }
        assertThat(marked).containsExactly("上海", "Café", "CAFES");
        assertThat(s.text()).startsWith("…").doesNotContain("<");
        assertThat(s.text().length()).isLessThanOrEqualTo(Snippets.MAX_CHARS + 2);
        assertThat(Snippets.of("<b>bold</b> move", SearchQuery.parse("bold")).text())
                .isEqualTo("<b>bold</b> move");
    }
}
