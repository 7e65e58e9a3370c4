package io.parley.server.store;

/**
 * A push target registered by one device session (docs/api.md, "Devices"). {@code token} is what the provider
 * addresses: the FCM registration token, the APNs device token (hex), or the Web Push subscription as JSON
 * ({@code {"endpoint", "keys": {"p256dh", "auth"}}}).
 */
public record PushDevice(String id, String userId, String sessionId, Platform platform, String token, long createdAt) {
    public enum Platform {
        WEBPUSH("webpush"),
        FCM("fcm"),
        APNS("apns");

        private final String wire;

        Platform(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** The platform of this wire name, or null. */
        public static Platform of(String wire) {
            for (Platform p : values()) {
                if (p.wire.equals(wire)) {
                    return p;
                }
            }
            return null;
        }
    }
}
