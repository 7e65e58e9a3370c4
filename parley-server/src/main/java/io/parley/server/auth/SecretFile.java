package io.parley.server.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The embedded default needs a JWT secret without configuration: one is generated on first start and kept in the
 * data dir (owner-only permissions), so tokens stay valid across restarts. Runs once at start-up, before serving.
 */
public final class SecretFile {
    private SecretFile() {}

    public static byte[] loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve("jwt-secret");
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                String encoded = Base64.getEncoder().encodeToString(secret);
                try {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    return read(file);
                }
                Files.writeString(file, encoded, StandardCharsets.US_ASCII);
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read JWT secret file " + file, e);
        }
    }

    private static byte[] read(Path file) throws IOException {
        byte[] secret = Base64.getDecoder()
                .decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
        if (secret.length < 32) {
            throw new IOException("JWT secret in " + file + " is shorter than 32 bytes");
        }
        return secret;
    }
}
