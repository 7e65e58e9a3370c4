package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.EventKind;
import io.parley.server.api.AuthApi;
import io.parley.server.api.DeviceApi;
import io.parley.server.api.OpenApi;
import io.parley.server.api.RequestLog;
import io.parley.server.api.RestApi;
import io.parley.server.api.SearchApi;
import io.parley.server.api.SessionApi;
import io.parley.server.config.Config;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document (src/main/resources/openapi/openapi.json) is valid, complete and true: swagger-parser reads it
 * without a message, every reference resolves, its error codes are ErrorCode's with their statuses, every route the
 * router has is in it and every operation in it reaches a route, it is served at /api/v1/openapi.json, and the
 * response check that {@link Rest} runs on every call fails on a response the document does not describe.
 */
class OpenApiDocumentTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static final OpenApiContract CONTRACT = OpenApiContract.DOCUMENT;
    static final JsonNode DOC = CONTRACT.document();
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() {
        server = new TestServer(dir).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static String resourceText() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(OpenApi.RESOURCE)) {
            assertThat(in).as(OpenApi.RESOURCE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SwaggerParseResult parse(String text) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(text, null, options);
    }

    @Test
    void swaggerParser_readsTheDocument_asOpenApi31_withoutAMessage() throws Exception {
        SwaggerParseResult result = parse(resourceText());
        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI()).isNotNull();
        assertThat(result.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
        assertThat(result.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(result.getOpenAPI().getPaths()).hasSize(DOC.path("paths").size());
    }

    @Test
    void swaggerParser_reportsAnUnresolvedReference() throws Exception {
        // The check above can fail: a reference to a schema that does not exist is reported.
        String broken = resourceText().replace("\"#/components/schemas/Message\"", "\"#/components/schemas/Nope\"");
        assertThat(broken).isNotEqualTo(resourceText());
        assertThat(parse(broken).getMessages()).isNotEmpty();
    }

    @Test
    void everyReference_resolvesInsideTheDocument() {
        List<String> refs = new ArrayList<>();
        collectRefs(DOC, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).as("only local references").startsWith("#/");
            assertThat(DOC.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            }
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void theErrorCodeEnum_isErrorCode() {
        assertThat(strings(DOC.at("/components/schemas/ErrorCode/enum")))
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toList()));
    }

    @Test
    void eachStatusSchema_holdsExactlyTheCodesOfThatStatus() {
        Set<Integer> statuses = Arrays.stream(ErrorCode.values())
                .map(ErrorCode::httpStatus)
                .collect(Collectors.toCollection(TreeSet::new));
        for (int status : statuses) {
            JsonNode codes = DOC.at("/components/schemas/Error" + status + "/properties/error/properties/code/enum");
            assertThat(codes.isArray()).as("Error%d lists its codes", status).isTrue();
            assertThat(strings(codes))
                    .as("codes with status %d", status)
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorCode.values())
                            .filter(c -> c.httpStatus() == status)
                            .map(ErrorCode::wire)
                            .collect(Collectors.toList()));
        }
        // And no status schema for a status no code has (426 is HTTP's, carrying bad_request, for /ws only).
        List<Integer> documented = new ArrayList<>();
        DOC.path("components").path("schemas").fieldNames().forEachRemaining(n -> {
            if (n.matches("Error\\d{3}")) {
                documented.add(Integer.parseInt(n.substring(5)));
            }
        });
        assertThat(documented).containsExactlyInAnyOrderElementsOf(concat(statuses, 426));
    }

    private static List<Integer> concat(Set<Integer> statuses, int extra) {
        List<Integer> out = new ArrayList<>(statuses);
        out.add(extra);
        return out;
    }

    @Test
    void theEventKindEnum_isEventKind() {
        assertThat(strings(DOC.at("/components/schemas/EventKind/enum")))
                .containsExactlyInAnyOrderElementsOf(
                        Arrays.stream(EventKind.values()).map(EventKind::wire).collect(Collectors.toList()));
    }

    /**
     * The routes of a node's router as NodeBuilder mounts them: health, metrics, /ws, the REST API and auth (the
     * browser app's catch-all and the /api/v1 checks that every API request passes are no operations).
     */
    static Set<String> routerOperations() {
        Vertx vertx = Vertx.vertx();
        try {
            Config config = TestServer.config(dir, Map.of());
            Router router = Router.router(vertx);
            router.route().handler(RequestLog::handle);
            HttpRoutes.health(router, new AtomicBoolean(), null, null);
            HttpRoutes.metrics(router, null, "a-metrics-token");
            router.get("/ws").handler(ctx -> ctx.fail(500));
            new RestApi(null, null, null, config).mount(router);
            new AuthApi(vertx, null, null, config.auth(), null).mount(router);
            new SessionApi(null, null, null, null).mount(router);
            new DeviceApi(null, null).mount(router);
            new io.parley.server.api.PushApi(null, null, null).mount(router);
            new io.parley.server.api.AttachmentApi(null).mount(router);
            new io.parley.server.api.MatchApi(null).mount(router);
            new SearchApi(null, config).mount(router);
            new io.parley.server.api.ModerationApi(null, null, config).mount(router);
            HttpRoutes.webApp(router, java.util.Optional.empty());
            HttpRoutes.errors(router);
            Set<String> out = new TreeSet<>();
            for (Route r : router.getRoutes()) {
                if (r.getPath() == null || !r.isExactPath()) {
                    continue; // the app's catch-all, the failure handler, the /api/v1/* checks
                }
                assertThat(r.methods())
                        .as("route %s names its methods", r.getPath())
                        .isNotEmpty();
                String template = r.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
                for (HttpMethod m : r.methods()) {
                    out.add(m.name() + " " + template);
                }
            }
            return out;
        } finally {
            vertx.close()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();
        }
    }

    @Test
    void everyRouteOfTheRouter_isInTheDocument_andViceVersa() {
        Set<String> routes = routerOperations();
        assertThat(routes).contains("GET /ws", "GET /health/live", "POST /api/v1/auth/login", "GET " + OpenApi.PATH);
        assertThat(new TreeSet<>(CONTRACT.operations())).isEqualTo(routes);
    }

    @Test
    void everyOperationOfTheDocument_reachesARouteOfARealNode_andItsAnswerIsDocumented() throws Exception {
        String token = TestServer.token("prober");
        for (String operation : CONTRACT.operations()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            String path = template.replaceAll("\\{[^}]+}", "probe");
            JsonNode op = DOC.path("paths").path(template).path(method.toLowerCase(java.util.Locale.ROOT));
            boolean body = op.has("requestBody");
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.httpUrl() + path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + token)
                    .method(
                            method,
                            body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
            if (body) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String contentType = r.headers().firstValue("content-type").orElse(null);
            if (r.statusCode() == 404 || r.statusCode() == 405) {
                assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code"))
                        .as("%s reaches a route: %s", operation, r.body())
                        .isNotIn("not_found", "method_not_allowed");
            }
            CONTRACT.check(method, path, r.statusCode(), contentType, r.body());
        }
    }

    @Test
    void theDocument_isServedWithoutAToken_asItIsInTheJar() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl() + OpenApi.PATH))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo(resourceText());
        CONTRACT.check("GET", OpenApi.PATH, r.statusCode(), "application/json", r.body());
    }

    // ---- the check bites ------------------------------------------------------------------------------------------

    private static final String ME = "/api/v1/me";

    @Test
    void check_acceptsADocumentedResponse() {
        CONTRACT.check(
                "GET", ME, 200, "application/json", "{\"userId\":\"u1\",\"username\":null,\"displayName\":null}");
        CONTRACT.check(
                "GET",
                "/api/v1/conversations/c1?limit=3",
                404,
                "application/json; charset=utf-8",
                "{\"error\":{\"code\":\"conversation_not_found\",\"message\":\"conversation not found\"}}");
        CONTRACT.check(
                "GET",
                "/api/v1/nope",
                404,
                "application/json",
                "{\"error\":{\"code\":\"not_found\",\"message\":\"no such path: /api/v1/nope\"}}");
    }

    @Test
    void check_failsOnAStatusTheOperationDoesNotDocument() {
        assertThatThrownBy(() -> CONTRACT.check("GET", ME, 418, "application/json", "{}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("status 418 is not documented for GET /api/v1/me");
        // A 404 for an operation without one, though its body is a valid error.
        assertThatThrownBy(() -> CONTRACT.check(
                        "GET",
                        ME,
                        404,
                        "application/json",
                        "{\"error\":{\"code\":\"user_not_found\",\"message\":\"no such user\"}}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("status 404 is not documented");
    }

    @Test
    void check_failsOnABodyThatDoesNotMatchTheSchema() {
        // A required field missing, a field of the wrong type, a field the schema does not have.
        for (String body : List.of(
                "{\"username\":\"alice\"}",
                "{\"userId\":42,\"username\":\"alice\"}",
                "{\"userId\":\"u1\",\"username\":\"alice\",\"extra\":true}")) {
            assertThatThrownBy(() -> CONTRACT.check("GET", ME, 200, "application/json", body))
                    .as(body)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("does not match");
        }
        // A date-time that is none: formats are asserted.
        assertThatThrownBy(() -> CONTRACT.check(
                        "POST",
                        "/api/v1/auth/login",
                        200,
                        "application/json",
                        "{\"userId\":\"u1\",\"username\":\"a\",\"token\":\"t\",\"expiresAt\":\"tomorrow\"}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void check_failsOnAnErrorCodeOfAnotherStatus_andOnAnotherErrorShape() {
        assertThatThrownBy(() -> CONTRACT.check(
                        "GET",
                        "/api/v1/conversations/c1",
                        404,
                        "application/json",
                        "{\"error\":{\"code\":\"forbidden\",\"message\":\"not yours\"}}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> CONTRACT.check(
                        "GET", "/api/v1/conversations/c1", 404, "application/json", "{\"message\":\"not found\"}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> CONTRACT.check(
                        "GET", "/api/v1/nope", 404, "text/html", "<html><body>Resource not found</body></html>"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("content type 'text/html' is not documented");
        assertThatThrownBy(() -> CONTRACT.check("DELETE", "/api/v1/conversations", 405, null, ""))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("is not documented");
    }

    @Test
    void check_failsOnASuccessForARequestNoOperationMatches() {
        assertThatThrownBy(() -> CONTRACT.check("GET", "/api/v1/nope", 200, "application/json", "{}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("status 200 is not documented for x-unrouted-responses");
    }

    /** Rest itself runs the check: a server whose answer the document does not describe fails the call. */
    @Test
    void rest_failsTheCall_whenTheAnswerDoesNotMatchTheDocument() throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/", exchange -> {
            byte[] body = "{\"userId\":7}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        fake.start();
        try {
            Rest rest = new Rest("http://127.0.0.1:" + fake.getAddress().getPort(), "any");
            assertThatThrownBy(() -> rest.get(ME))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("GET /api/v1/me -> 200")
                    .hasMessageContaining("does not match");
        } finally {
            fake.stop(0);
        }
    }
}
