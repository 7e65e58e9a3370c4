package io.parley.server.store.jdbc;
public record SqliteOptions(boolean fsync, int maxBatch, int readers) {}
