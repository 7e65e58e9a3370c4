package io.parley.server.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.EventKind;
import io.parley.server.bus.Delivery;
import io.parley.server.store.EventHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusEnvelopeTest {

    @Test
    void event_roundTrips_withIdsHoldingSeparatorsAndANullMember() {
        String frame = "{\"type\":\"event\",\"body\":\"1:2|3\"}";
        Delivery e = new Delivery(
                new EventHeader("c-1", 42, EventKind.MESSAGE, 1_700_000_000_123L, "a"),
                null,
                List.of("a|b", "12:x", "-:", "ü☃"),
                frame.getBytes(StandardCharsets.UTF_8));
        BusEnvelope m = BusEnvelope.parse(BusEnvelope.event("node|1", e, frame));
        assertThat(m.type()).isEqualTo(BusEnvelope.EVENT);
        assertThat(m.node()).isEqualTo("node|1");
        assertThat(m.conversationId()).isEqualTo("c-1");
        assertThat(m.seq()).isEqualTo(42);
        assertThat(m.kind()).isEqualTo(EventKind.MESSAGE);
        assertThat(m.createdAt()).isEqualTo(1_700_000_000_123L);
        assertThat(m.actorId()).isEqualTo("a");
        assertThat(m.memberId()).isNull();
        assertThat(m.recipients()).containsExactly("a|b", "12:x", "-:", "ü☃");
        assertThat(m.frame()).isEqualTo(frame);
        Delivery back = m.toDelivery(List.of("a|b"), m.frame().getBytes(StandardCharsets.UTF_8));
        assertThat(back.header()).isEqualTo(e.header());
        assertThat(back.header().conversationId()).isEqualTo("c-1");
        assertThat(back.header().seq()).isEqualTo(42);
        assertThat(back.recipients()).containsExactly("a|b");
        assertThat(back.frame()).isEqualTo(e.frame());
    }

    @Test
    void memberEvent_keepsItsMember() {
        Delivery e = new Delivery(
                new EventHeader("c", 3, EventKind.MEMBER_REMOVED, 5, "owner"), "bob", List.of("bob"), new byte[] {
                    '{', '}'
                });
        BusEnvelope m = BusEnvelope.parse(BusEnvelope.event("n", e, "{}"));
        assertThat(m.kind()).isEqualTo(EventKind.MEMBER_REMOVED);
        assertThat(m.memberId()).isEqualTo("bob");
    }

    @Test
    void batch_roundTrips_intoItsEvents_sharingOneRecipientList() {
        List<String> recipients = List.of("a", "b|1", "ü");
        List<Delivery> run = List.of(
                new Delivery(
                        new EventHeader("c:1", 1, EventKind.CONVERSATION_CREATED, 7, "a"),
                        null,
                        recipients,
                        "{\"seq\":1}".getBytes(StandardCharsets.UTF_8)),
                new Delivery(
                        new EventHeader("c:1", 2, EventKind.MEMBER_REMOVED, 8, "a"),
                        "b|1",
                        recipients,
                        "{\"body\":\"3:x\"}".getBytes(StandardCharsets.UTF_8)));
        String message = BusEnvelope.batch("node", run, List.of("{\"seq\":1}", "{\"body\":\"3:x\"}"));

        List<BusEnvelope> all = BusEnvelope.parseAll(message);

        assertThat(all).hasSize(2);
        assertThat(all).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(BusEnvelope.EVENT);
            assertThat(m.node()).isEqualTo("node");
            assertThat(m.conversationId()).isEqualTo("c:1");
            assertThat(m.recipients()).containsExactly("a", "b|1", "ü");
        });
        assertThat(all.get(0).recipients()).isSameAs(all.get(1).recipients());
        assertThat(all.get(0).seq()).isEqualTo(1);
        assertThat(all.get(0).kind()).isEqualTo(EventKind.CONVERSATION_CREATED);
        assertThat(all.get(0).memberId()).isNull();
        assertThat(all.get(0).frame()).isEqualTo("{\"seq\":1}");
        assertThat(all.get(1).seq()).isEqualTo(2);
        assertThat(all.get(1).kind()).isEqualTo(EventKind.MEMBER_REMOVED);
        assertThat(all.get(1).createdAt()).isEqualTo(8);
        assertThat(all.get(1).memberId()).isEqualTo("b|1");
        assertThat(all.get(1).frame()).isEqualTo("{\"body\":\"3:x\"}");
        assertThat(BusEnvelope.parseAll(BusEnvelope.signal("n", List.of("x"), "{}")))
                .hasSize(1);
        assertThatThrownBy(() -> BusEnvelope.parseAll(message + "junk")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BusEnvelope.parseAll(message.substring(0, message.length() - 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void signal_roundTrips() {
        BusEnvelope m = BusEnvelope.parse(BusEnvelope.signal("n", List.of("x", "y"), "{\"type\":\"typing\"}"));
        assertThat(m.type()).isEqualTo(BusEnvelope.SIGNAL);
        assertThat(m.recipients()).containsExactly("x", "y");
        assertThat(m.frame()).isEqualTo("{\"type\":\"typing\"}");
    }

    @Test
    void garbage_isRefused() {
        assertThatThrownBy(() -> BusEnvelope.parse("Zwhatever")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BusEnvelope.parse("E4:node9:short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BusEnvelope.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
