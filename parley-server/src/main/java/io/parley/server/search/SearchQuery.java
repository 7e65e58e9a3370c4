package io.parley.server.search;

import io.parley.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed search query: the terms every hit must contain (AND). The query language has exactly one operator, the
 * double quote; everything else is text, tokenized by {@link Tokenizer} as message bodies are:
 *
 * <ul>
 *   <li>a word outside quotes matches every indexed word it is a prefix of ({@code rep} finds "report"), case- and
 *       accent-insensitively; a one-letter word matches only itself;
 *   <li>a CJK run outside quotes matches those characters next to each other (its bigrams as a phrase; one
 *       character: that character anywhere);
 *   <li>{@code "..."} is a phrase: its words, exactly (no prefix), next to each other. An unbalanced quote runs to
 *       the end of the query;
 *   <li>FTS syntax ({@code *}, {@code NEAR}, {@code OR}, {@code AND}, {@code NOT}, parentheses, {@code col:}, {@code ^},
 *       {@code -}) has no meaning: punctuation separates words, and OR, NEAR and the like are searched as words.
 * </ul>
 *
 * Refused with {@link ErrorCode#QUERY_TOO_LONG}: more than {@link #MAX_CHARS} characters or more than
 * {@link #MAX_TERMS} terms; with {@link ErrorCode#QUERY_EMPTY}: no word at all (empty, blank, only punctuation or
 * control characters).
 */
public record SearchQuery(List<Term> terms) {
    public static final int MAX_CHARS = 256;
    public static final int MAX_TERMS = 16;

    /** Which token stream of the index a term is matched against. */
    public enum Stream {
        /** Words and CJK bigrams, with positions. */
        WORDS,
        /** CJK characters, one by one. */
        CHARS
    }

    /**
     * One condition: {@code tokens} next to each other in {@code stream} (one token: anywhere), as a prefix when
     * {@code prefix} (single words only).
     */
    public record Term(Stream stream, List<String> tokens, boolean prefix) {}

    /** A query that cannot be searched, with the code the REST and WebSocket faces answer. */
    public static final class Invalid extends RuntimeException {
        private final ErrorCode code;

        Invalid(ErrorCode code, String message) {
            super(message);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    public static SearchQuery parse(String q) {
        if (q == null || q.isEmpty()) {
            throw new Invalid(ErrorCode.QUERY_EMPTY, "the query 'q' is empty");
        }
        if (q.codePointCount(0, q.length()) > MAX_CHARS) {
            throw new Invalid(ErrorCode.QUERY_TOO_LONG, "the query has more than " + MAX_CHARS + " characters");
        }
        String nfc = Tokenizer.normalize(q);
        List<Term> terms = new ArrayList<>();
        int i = 0;
        while (i < nfc.length()) {
            int quote = nfc.indexOf('"', i);
            if (quote < 0) {
                free(nfc.substring(i), terms);
                break;
            }
            free(nfc.substring(i, quote), terms);
            int close = nfc.indexOf('"', quote + 1);
            String phrase = close < 0 ? nfc.substring(quote + 1) : nfc.substring(quote + 1, close);
            phrase(phrase, terms);
            i = close < 0 ? nfc.length() : close + 1;
        }
        if (terms.isEmpty()) {
            throw new Invalid(ErrorCode.QUERY_EMPTY, "the query has no word to search for");
        }
        if (terms.size() > MAX_TERMS) {
            throw new Invalid(ErrorCode.QUERY_TOO_LONG, "the query has more than " + MAX_TERMS + " terms");
        }
        return new SearchQuery(List.copyOf(terms));
    }

    private static void free(String text, List<Term> terms) {
        for (Tokenizer.Segment s : Tokenizer.segments(text)) {
            String f = s.folded();
            if (!s.cjk()) {
                terms.add(new Term(Stream.WORDS, List.of(f), f.length() > 1));
            } else if (f.codePointCount(0, f.length()) == 1) {
                terms.add(new Term(Stream.CHARS, List.of(f), false));
            } else {
                terms.add(new Term(Stream.WORDS, Tokenizer.cjkWords(f), false));
            }
        }
    }

    private static void phrase(String text, List<Term> terms) {
        List<Tokenizer.Segment> segments = Tokenizer.segments(text);
        if (segments.size() == 1) {
            Tokenizer.Segment s = segments.get(0);
            String f = s.folded();
            if (s.cjk()) {
                free(text, terms);
            } else {
                terms.add(new Term(Stream.WORDS, List.of(f), false));
            }
            return;
        }
        List<String> tokens = new ArrayList<>();
        for (Tokenizer.Segment s : segments) {
            tokens.addAll(s.cjk() ? Tokenizer.cjkWords(s.folded()) : List.of(s.folded()));
        }
        if (!tokens.isEmpty()) {
            terms.add(new Term(Stream.WORDS, List.copyOf(tokens), false));
        }
    }
}
