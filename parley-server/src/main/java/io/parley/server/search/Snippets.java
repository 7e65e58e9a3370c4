package io.parley.server.search;

import java.util.ArrayList;
import java.util.List;

/**
 * The snippet of a hit: a window of the message text around its first match, with the ranges that matched. The
 * text stays plain (no markup), so a client renders it without ever parsing HTML from a message; ranges are
 * [start, end) offsets in UTF-16 code units into {@code text}, ascending and disjoint.
 */
public final class Snippets {
    /** At most this many characters before the first match. */
    static final int BEFORE = 40;
    /** The longest snippet, in UTF-16 code units (plus the ellipses). */
    public static final int MAX_CHARS = 160;

    private static final String ELLIPSIS = "…";

    private Snippets() {}

    public record Snippet(String text, List<int[]> ranges) {}

    public static Snippet of(String body, SearchQuery query) {
        String text = Tokenizer.normalize(body == null ? "" : body);
        List<int[]> matches = matches(text, query);
        int start = 0;
        if (!matches.isEmpty() && matches.get(0)[0] > BEFORE) {
            start = matches.get(0)[0] - BEFORE;
            // Start at a word boundary when one is near, never inside a surrogate pair.
            int space = text.indexOf(' ', start);
            if (space >= 0 && space < matches.get(0)[0]) {
                start = space + 1;
            }
        }
        int end = Math.min(text.length(), start + MAX_CHARS);
        if (end < text.length() && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        if (start > 0 && Character.isLowSurrogate(text.charAt(start))) {
            start++;
        }
        String prefix = start > 0 ? ELLIPSIS : "";
        String suffix = end < text.length() ? ELLIPSIS : "";
        List<int[]> ranges = new ArrayList<>();
        for (int[] m : matches) {
            int s = Math.max(m[0], start);
            int e = Math.min(m[1], end);
            if (s < e) {
                ranges.add(new int[] {s - start + prefix.length(), e - start + prefix.length()});
            }
        }
        return new Snippet(prefix + text.substring(start, end) + suffix, ranges);
    }

    /** The ranges of {@code text} (NFC) that a term of {@code query} matches, merged and in order. */
    static List<int[]> matches(String text, SearchQuery query) {
        List<int[]> found = new ArrayList<>();
        for (Tokenizer.Segment s : Tokenizer.segments(text)) {
            for (SearchQuery.Term t : query.terms()) {
                for (String token : t.tokens()) {
                    boolean cjkToken = Tokenizer.isCjk(token.codePointAt(0));
                    if (s.cjk() && cjkToken) {
                        markCjk(text, s, token, found);
                    } else if (!s.cjk() && !cjkToken) {
                        boolean hit = t.prefix()
                                ? s.folded().startsWith(token)
                                : s.folded().equals(token);
                        if (hit) {
                            found.add(new int[] {s.start(), s.end()});
                        }
                    }
                }
            }
        }
        found.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : found) {
            if (!merged.isEmpty() && r[0] <= merged.get(merged.size() - 1)[1]) {
                int[] last = merged.get(merged.size() - 1);
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(new int[] {r[0], r[1]});
            }
        }
        return merged;
    }

    /** Marks each place the CJK token occurs in the run (folded characters map one to one onto the text's). */
    private static void markCjk(String text, Tokenizer.Segment s, String token, List<int[]> found) {
        int[] folded = s.folded().codePoints().toArray();
        int[] wanted = token.codePoints().toArray();
        // The text offset of each folded character.
        int[] offsets = new int[folded.length + 1];
        int at = s.start();
        for (int i = 0; i < folded.length; i++) {
            offsets[i] = at;
            at += Character.charCount(text.codePointAt(at));
        }
        offsets[folded.length] = at;
        for (int i = 0; i + wanted.length <= folded.length; i++) {
            boolean same = true;
            for (int j = 0; j < wanted.length && same; j++) {
                same = folded[i + j] == wanted[j];
            }
            if (same) {
                found.add(new int[] {offsets[i], offsets[i + wanted.length]});
            }
        }
    }
}
