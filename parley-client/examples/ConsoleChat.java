import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyException;
import io.parley.client.ParleyListener;
import io.parley.client.ParleyRest;
import io.parley.client.Rest;
import io.parley.protocol.ServerFrame;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A two-user console chat on the Parley Java SDK (docs/client-java.md, "Examples"). Run it twice, as two users:
 *
 * <pre>
 *   java -cp "$CP" parley-client/examples/ConsoleChat.java http://127.0.0.1:8080 alice bob
 *   java -cp "$CP" parley-client/examples/ConsoleChat.java http://127.0.0.1:8080 bob alice
 * </pre>
 *
 * Each registers its user (password: the name + "-password"; or logs in when the name is taken), opens the direct
 * conversation with the other over REST, prints its recent history, then chats over the WebSocket: type a line to
 * send it, {@code /quit} to leave.
 */
public final class ConsoleChat {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ConsoleChat <server, e.g. http://127.0.0.1:8080> <me> <other user>");
            System.exit(2);
        }
        URI server = URI.create(args[0]);
        String me = args[1];
        String other = args[2];

        ParleyRest anon = ParleyRest.create(server);
        Rest.Auth auth = signIn(anon, me, me + "-password");
        ParleyRest rest = anon.withToken(auth.token());
        Rest.Conversation dm = openDirect(rest, other);
        Rest.MessagePage recent = rest.history(dm.id(), Rest.Paging.latest().limit(20)).join();
        for (Rest.Message m : recent.messages()) {
            System.out.println(line(m.seq(), m.senderId().equals(auth.userId()) ? "you" : other, m.body()));
        }

        ParleyClient client = ParleyClient.builder()
                .uri(URI.create(server.toString().replaceFirst("^http", "ws") + "/ws"))
                .tokenSupplier(auth::token)
                // Resume the conversation right after the page just printed (the other conversations this user is
                // in replay too, and are not shown here).
                .initialCursors(Map.of(dm.id(), recent.lastSeq() == null ? 0L : recent.lastSeq()))
                .listener(new ParleyListener() {
                    @Override
                    public void onEvent(ServerFrame.Event e) {
                        // Our own sends never come here (the client matches them to its outbox); a message of
                        // ours from elsewhere (another device, a REST send) does.
                        if (e.conversationId().equals(dm.id()) && "message".equals(e.kind())) {
                            String who = e.actorId().equals(auth.userId()) ? "you (elsewhere)" : other;
                            System.out.println(line(e.seq(), who, e.body()));
                        }
                    }

                    @Override
                    public void onMessageStateChanged(OutgoingMessage m) {
                        System.out.println(switch (m.state()) {
                            case SENT -> "  sent: \"" + m.body() + "\" is #" + m.ack().seq();
                            case UNCONFIRMED -> "  not confirmed yet: \"" + m.body() + "\" (still trying)";
                            case FAILED -> "  not sent: \"" + m.body() + "\" (" + m.errorCode() + ")";
                            case PENDING -> "  sending \"" + m.body() + "\"";
                            case HELD -> "  waiting for review: \"" + m.body() + "\"";
                            case REJECTED -> "  rejected by a moderator: \"" + m.body() + "\"";
                        });
                    }

                    @Override
                    public void onStateChanged(io.parley.client.ConnectionState s) {
                        System.out.println("  [" + s.name().toLowerCase(java.util.Locale.ROOT) + "]");
                    }
                })
                .build();
        client.connect().get(30, TimeUnit.SECONDS);
        System.out.println("chatting with " + other + " as " + me + "; type a message, /quit to leave");

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String text = in.readLine(); text != null && !text.equals("/quit"); text = in.readLine()) {
            if (!text.isBlank()) {
                client.send(dm.id(), text);
            }
        }
        client.close();
        for (OutgoingMessage m : client.pending()) {
            // Stored or not is unknown: a later run could re-send it with the same clientMsgId (client.resend).
            System.out.println("  left unconfirmed: \"" + m.body() + "\" (" + m.clientMsgId() + ")");
        }
    }

    private static String line(long seq, String who, String body) {
        return "#" + seq + " " + who + ": " + (body == null ? "(deleted)" : body);
    }

    /** Registers, or logs in when the username is taken. */
    private static Rest.Auth signIn(ParleyRest anon, String username, String password) {
        try {
            return anon.register(username, password).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ParleyException p && p.code().equals("conflict")) {
                return anon.login(username, password).join();
            }
            throw e;
        }
    }

    /** The direct conversation with {@code other}, waiting (once a second) for them to register. */
    private static Rest.Conversation openDirect(ParleyRest rest, String other) throws InterruptedException {
        boolean told = false;
        while (true) {
            try {
                return rest.directWithUsername(other).join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof ParleyException p && p.code().equals("user_not_found"))) {
                    throw e;
                }
                if (!told) {
                    System.out.println("waiting for " + other + " to start ConsoleChat...");
                    told = true;
                }
                Thread.sleep(1000); // polling another process (the other user registering), not a timer of ours
            }
        }
    }
}
