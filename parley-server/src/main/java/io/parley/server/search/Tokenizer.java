package io.parley.server.search;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one tokenizer of message search, shared by both stores (they index its tokens as they are, and never
 * tokenize themselves), so SQLite and PostgreSQL find exactly the same messages.
 *
 * <ul>
 *   <li>The text is NFC-normalized first. A <b>word</b> is a run of letters, digits and combining marks outside the
 *       CJK scripts; it is folded: compatibility decomposition (fullwidth letters become ASCII), combining marks
 *       removed (so {@code café} and {@code cafe} are one token), lower case ({@link Locale#ROOT}), and the few
 *       letters that do not decompose ({@code ß} -> ss, {@code æ} -> ae, {@code ø} -> o, {@code œ} -> oe,
 *       {@code ł} -> l, {@code đ}/{@code ð} -> d, {@code þ} -> th, {@code ı} -> i). Everything else (spaces,
 *       punctuation, symbols, emoji, control characters) separates tokens. A token is at most
 *       {@link #MAX_TOKEN_CHARS} characters (longer ones are cut).
 *   <li>A <b>CJK run</b> is a run of Han, Hiragana, Katakana or Hangul characters (with 々, 〆 and the prolonged sound
 *       mark ー), each NFKC-folded (half-width katakana become full-width). It gives its overlapping bigrams in the
 *       word stream (東京タワー: 東京 京タ タワ ワー), or the character itself for a one-character run, and every
 *       character as a unigram in the separate character stream, so that a one-character query finds it inside a
 *       longer run.
 * </ul>
 *
 * Thread-safe: no state.
 */
public final class Tokenizer {
    public static final int MAX_TOKEN_CHARS = 64;

    private Tokenizer() {}

    /** What one message body gives the index: the word stream in order, and its distinct CJK characters. */
    public record Tokens(List<String> words, Set<String> chars) {
        public boolean isEmpty() {
            return words.isEmpty() && chars.isEmpty();
        }
    }

    /** One run of the text (offsets into the NFC-normalized text) with its folded form. */
    public record Segment(int start, int end, boolean cjk, String folded) {}

    /** The tokens to index for {@code text} (null or blank: none). */
    public static Tokens index(String text) {
        List<String> words = new ArrayList<>();
        Set<String> chars = new LinkedHashSet<>();
        if (text == null) {
            return new Tokens(words, chars);
        }
        for (Segment s : segments(normalize(text))) {
            if (!s.cjk()) {
                words.add(s.folded());
            } else {
                addCjk(s.folded(), words, chars);
            }
        }
        return new Tokens(words, chars);
    }

    /** The word-stream tokens of one CJK run: bigrams, or the character itself for a run of one. */
    static List<String> cjkWords(String run) {
        List<String> out = new ArrayList<>();
        addCjk(run, out, new LinkedHashSet<>());
        return out;
    }

    private static void addCjk(String run, List<String> words, Set<String> chars) {
        int[] cps = run.codePoints().toArray();
        for (int cp : cps) {
            chars.add(new String(Character.toChars(cp)));
        }
        if (cps.length == 1) {
            words.add(new String(Character.toChars(cps[0])));
            return;
        }
        for (int i = 0; i + 1 < cps.length; i++) {
            words.add(new String(cps, i, 2));
        }
    }

    /** NFC, the form every offset of {@link #segments} refers to. */
    public static String normalize(String text) {
        return Normalizer.isNormalized(text, Normalizer.Form.NFC)
                ? text
                : Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    /** The runs of {@code nfc} (already {@link #normalize normalized}) that give tokens, in order. */
    public static List<Segment> segments(String nfc) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        int n = nfc.length();
        while (i < n) {
            int cp = nfc.codePointAt(i);
            if (isCjk(cp)) {
                int start = i;
                StringBuilder folded = new StringBuilder();
                while (i < n && isCjk(cp = nfc.codePointAt(i))) {
                    folded.append(foldCjk(cp));
                    i += Character.charCount(cp);
                }
                out.add(new Segment(start, i, true, folded.toString()));
            } else if (isWordChar(cp) && !isMark(cp)) {
                int start = i;
                while (i < n && !isCjk(cp = nfc.codePointAt(i)) && isWordChar(cp)) {
                    i += Character.charCount(cp);
                }
                String folded = foldWord(nfc.substring(start, i));
                if (!folded.isEmpty()) {
                    out.add(new Segment(start, i, false, folded));
                }
            } else {
                i += Character.charCount(cp);
            }
        }
        return out;
    }

    static boolean isCjk(int cp) {
        if (cp < FIRST_CJK) {
            // Latin, Greek, Cyrillic, ... : most text. UnicodeScript.of is a binary search over the script table, the
            // tokenizer's largest cost on such text (JFR); no Han, Hiragana, Katakana or Hangul code point is below.
            return false;
        }
        if (cp == 0x3005 || cp == 0x3006 || cp == 0x30FC || cp == 0xFF70) {
            return true;
        }
        if (!Character.isLetter(cp)) {
            return false;
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN
                || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA
                || s == Character.UnicodeScript.HANGUL;
    }

    /** The first Hangul Jamo (U+1100): below it no code point is of the scripts {@link #isCjk} looks for. */
    static final int FIRST_CJK = 0x1100;

    private static boolean isMark(int cp) {
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK
                || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK;
    }

    private static boolean isWordChar(int cp) {
        return Character.isLetterOrDigit(cp) || isMark(cp);
    }

    private static String foldCjk(int cp) {
        String s = new String(Character.toChars(cp));
        String k = Normalizer.normalize(s, Normalizer.Form.NFKC);
        // Keep one code point per character, so bigrams stay pairs of characters.
        return k.codePointCount(0, k.length()) == 1 ? k : s;
    }

    /** Folds one word: compatibility decomposition, no marks, lower case, the letters that do not decompose. */
    static String foldWord(String word) {
        int n = word.length();
        for (int i = 0; i < n; i++) {
            if (word.charAt(i) >= 0x80) {
                return foldUnicode(word);
            }
        }
        // ASCII (most words of most chats): decomposition changes nothing and there are no marks, so folding is
        // keeping letters and digits, lower-cased; the same result as foldUnicode at a fraction of its cost (it was
        // the indexer's largest cost, measured with JFR).
        StringBuilder sb = new StringBuilder(Math.min(n, MAX_TOKEN_CHARS));
        for (int i = 0; i < n && sb.length() < MAX_TOKEN_CHARS; i++) {
            char c = word.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                sb.append((char) (c + ('a' - 'A')));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@link #foldWord} for any text. */
    static String foldUnicode(String word) {
        String d = Normalizer.normalize(word, Normalizer.Form.NFKD);
        StringBuilder sb = new StringBuilder(d.length());
        for (int i = 0; i < d.length(); ) {
            int cp = d.codePointAt(i);
            i += Character.charCount(cp);
            if (isMark(cp)) {
                continue;
            }
            if (!Character.isLetterOrDigit(cp)) {
                continue; // e.g. the fraction slash of a decomposed ½
            }
            String lower = new String(Character.toChars(cp)).toLowerCase(Locale.ROOT);
            switch (lower) {
                case "ß":
                    sb.append("ss");
                    break;
                case "æ":
                    sb.append("ae");
                    break;
                case "ø":
                    sb.append('o');
                    break;
                case "œ":
                    sb.append("oe");
                    break;
                case "ł":
                    sb.append('l');
                    break;
                case "đ":
                case "ð":
                    sb.append('d');
                    break;
                case "þ":
                    sb.append("th");
                    break;
                case "ı":
                    sb.append('i');
                    break;
                default:
                    for (int j = 0; j < lower.length(); ) {
                        int c = lower.codePointAt(j);
                        j += Character.charCount(c);
                        if (!isMark(c)) {
                            sb.appendCodePoint(c);
                        }
                    }
            }
        }
        if (sb.length() > MAX_TOKEN_CHARS) {
            int cut = MAX_TOKEN_CHARS;
            if (Character.isHighSurrogate(sb.charAt(cut - 1))) {
                cut--;
            }
            sb.setLength(cut);
        }
        return sb.toString();
    }
}
