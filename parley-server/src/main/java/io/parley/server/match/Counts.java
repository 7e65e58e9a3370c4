package io.parley.server.match;

/** Users holding a live matching session ({@code online}) and entries in the waiting queue ({@code waiting}). */
public record Counts(long online, long waiting) {}
