package io.parley.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void unknownUser_costsOneVerificationAgainstADummyOfTheConfiguredCost_likeAWrongPassword() {
        AtomicInteger verifications = new AtomicInteger();
        PasswordHasher hasher = new PasswordHasher(5, verifications::incrementAndGet);
        String stored = hasher.hash("right password");
        assertThat(hasher.dummyCost()).isEqualTo(5);
        assertThat(stored).startsWith("$2a$05$");
        assertThat(hasher.verify("wrong password", stored)).isFalse();
        assertThat(verifications).hasValue(1);
        // No such user (or no password): the same bcrypt work against the dummy hash, and never a match.
        assertThat(hasher.verify("parley-dummy-password-for-timing", null)).isFalse();
        assertThat(verifications).hasValue(2);
        assertThat(hasher.verify("right password", stored)).isTrue();
        assertThat(verifications).hasValue(3);
    }
}
