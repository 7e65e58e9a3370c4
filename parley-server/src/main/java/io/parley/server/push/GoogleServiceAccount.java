package io.parley.server.push;

import io.parley.server.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * The parts of a Google service account key file (the JSON the Firebase console's "Generate new private key" gives)
 * that FCM needs: {@code client_email} (the JWT's issuer), {@code private_key} (PEM, RS256), {@code token_uri} (where
 * the signed assertion is exchanged for an access token) and {@code project_id} (in the FCM URL).
 */
record GoogleServiceAccount(String clientEmail, RSAPrivateKey privateKey, URI tokenUri, String projectId) {
    static final String KEY = "push.fcm.service-account-file";

    /** Reads {@code file}; a missing field or a key that is no RSA PKCS#8 key is a start error naming the file. */
    static GoogleServiceAccount read(Path file) {
        JsonObject json;
        try {
            json = new JsonObject(ProviderHttp.read(file, KEY));
        } catch (DecodeException e) {
            throw new ConfigException(KEY + " " + file + " is not JSON: " + e.getMessage());
        }
        if (!"service_account".equals(json.getString("type", "service_account"))) {
            throw new ConfigException(KEY + " " + file + " is a '" + json.getString("type")
                    + "' key file, not a service account's (\"type\": \"service_account\")");
        }
        String[] fields = {"client_email", "private_key", "token_uri", "project_id"};
        for (String f : fields) {
            if (!(json.getValue(f) instanceof String s) || s.isBlank()) {
                throw new ConfigException(KEY + " " + file + " has no \"" + f + "\"");
            }
        }
        try {
            RSAPrivateKey key = (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(ProviderHttp.pkcs8(json.getString("private_key"), KEY)));
            return new GoogleServiceAccount(
                    json.getString("client_email"),
                    key,
                    URI.create(json.getString("token_uri")),
                    json.getString("project_id"));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new ConfigException(KEY + " " + file + " has a private_key that is no RSA key: " + e.getMessage());
        }
    }
}
