package io.parley.server.admin;

import io.parley.server.auth.AccountRules;
import io.parley.server.auth.BanList;
import io.parley.server.auth.PasswordHasher;
import io.parley.server.chat.Ids;
import io.parley.server.store.StoreException;
import io.parley.server.store.User;
import io.parley.server.store.jdbc.JdbcChatStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** create-user, reset-password, ban and unban. */
final class Accounts {
    private Accounts() {}

    static void createUser(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(1, "one username");
        String username = ctx.args().operands().get(0);
        if (!AccountRules.validUsername(username)) {
            throw new Admin.Failure(AccountRules.USERNAME_RULE, Admin.USAGE);
        }
        if (AccountRules.reservedName(username)) {
            throw new Admin.Failure(AccountRules.RESERVED_RULE, Admin.USAGE);
        }
        String hash = new PasswordHasher(ctx.config().auth().bcryptCost()).hash(password(ctx));
        try (JdbcChatStore store = Stores.open(ctx.config(), true)) {
            User user;
            try {
                user = Stores.await(store.createUser(Ids.userId(), username, hash));
            } catch (StoreException.Conflict e) {
                throw new Admin.Failure("username '" + username + "' is taken");
            }
            Admin.log("create_user", username, "user_id", user.id(), "store", Stores.describe(ctx.config()));
            ctx.out().println(user.id());
        }
    }

    static void resetPassword(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(1, "one username");
        String username = ctx.args().operands().get(0);
        String hash = new PasswordHasher(ctx.config().auth().bcryptCost()).hash(password(ctx));
        try (JdbcChatStore store = Stores.open(ctx.config(), false)) {
            Optional<User> user = Stores.await(store.findUserByUsername(username));
            if (user.isEmpty()) {
                throw new Admin.Failure("no user named '" + username + "'");
            }
            Stores.await(store.setPasswordHash(user.get().id(), hash));
            Admin.log("reset_password", username, "user_id", user.get().id());
            ctx.out()
                    .println("password of " + username + " (" + user.get().id() + ") reset; tokens already issued"
                            + " stay valid until they expire (ban to cut them off)");
        }
    }

    static void ban(Admin.Context ctx, boolean banned) throws Exception {
        String what = banned ? "ban" : "unban";
        String id = ctx.args().option("id");
        if (id == null) {
            ctx.args().expectOperands(1, "one username (or --id <userId>)");
        } else {
            ctx.args().expectOperands(0, "a username or --id <userId>, not both");
        }
        try (JdbcChatStore store = Stores.open(ctx.config(), false)) {
            User user = id != null
                    ? Stores.await(store.findUser(id))
                            .orElseThrow(() -> new Admin.Failure("no user with id '" + id + "'"))
                    : Stores.await(store.findUserByUsername(
                                    ctx.args().operands().get(0)))
                            .orElseThrow(() -> new Admin.Failure("no user named '"
                                    + ctx.args().operands().get(0) + "' (--id for users without one)"));
            String name = user.username() != null ? user.username() + " (" + user.id() + ")" : user.id();
            boolean changed;
            try {
                changed = Stores.await(
                        store.moderation().ban(Moderation.actor(), user.id(), banned, System.currentTimeMillis()));
            } catch (StoreException.UnknownUser e) {
                throw new Admin.Failure("no user with id '" + user.id() + "'");
            }
            if (!changed) {
                ctx.out().println(name + " was already " + (banned ? "banned" : "not banned"));
                return;
            }
            Admin.log(what, name, "user_id", user.id());
            ctx.out()
                    .println(
                            banned
                                    ? name + " banned: login refused now; tokens refused and live sessions closed on"
                                            + " every node within 1 s"
                                    : name + " unbanned: tokens and login accepted again within "
                                            + BanList.REFRESH.toSeconds() + " s");
        }
    }

    /**
     * The new password: the first line of {@code --password-file}, else the first line of stdin (a pipe, so it shows
     * up neither on screen nor in the process list). Checked against the same rule as registration.
     */
    private static String password(Admin.Context ctx) throws Admin.Failure, IOException {
        String file = ctx.args().option("password-file");
        String password;
        if (file != null) {
            try {
                password = firstLine(Files.readString(Path.of(file), StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                throw new Admin.Failure("no password file " + file, Admin.USAGE);
            }
        } else {
            BufferedReader reader = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8));
            String line = reader.readLine();
            password = line == null ? "" : line;
        }
        if (!AccountRules.validPassword(password)) {
            throw new Admin.Failure(
                    AccountRules.PASSWORD_RULE + " (give it on stdin or with --password-file)", Admin.USAGE);
        }
        return password;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
