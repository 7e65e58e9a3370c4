package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS for the REST API, and /metrics behind its token (issue 18, HTTP hygiene). */
class HttpHygieneTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static HttpResponse<String> call(String method, String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String path = URI.create(url).getRawPath();
        if (!path.equals("/")) { // the browser app's files are not operations of the OpenAPI document
            OpenApiContract.DOCUMENT.check(
                    method,
                    path,
                    r.statusCode(),
                    r.headers().firstValue("content-type").orElse(null),
                    r.body());
        }
        return r;
    }

    @Test
    void cors_preflightFromAListedOrigin_isAnsweredWithoutAToken_andItsCallsCarryTheOrigin(@TempDir Path dir)
            throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("http.cors-origins", "https://app.example.com")).start()) {
            String url = server.httpUrl() + "/api/v1/conversations";
            HttpResponse<String> pre = call(
                    "OPTIONS",
                    url,
                    Map.of(
                            "Origin", "https://app.example.com",
                            "Access-Control-Request-Method", "POST",
                            "Access-Control-Request-Headers", "authorization, content-type"));
            assertThat(pre.statusCode()).isEqualTo(204);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
            assertThat(pre.headers().firstValue("Access-Control-Allow-Methods").orElse(""))
                    .contains("POST")
                    .contains("PATCH")
                    .contains("DELETE");
            assertThat(pre.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
                    .contains("Authorization")
                    .contains("Content-Type");
            assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isEmpty();

            HttpResponse<String> get = call(
                    "GET",
                    url,
                    Map.of(
                            "Origin",
                            "https://app.example.com",
                            "Authorization",
                            "Bearer " + TestServer.token("alice")));
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
            assertThat(get.headers().firstValue("Vary").orElse("")).contains("Origin");

            HttpResponse<String> otherPre = call(
                    "OPTIONS",
                    url,
                    Map.of("Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST"));
            assertThat(otherPre.statusCode()).isEqualTo(403);
            assertThat(new JsonObject(otherPre.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("forbidden");
            HttpResponse<String> otherGet = call(
                    "GET",
                    url,
                    Map.of(
                            "Origin",
                            "https://evil.example.com",
                            "Authorization",
                            "Bearer " + TestServer.token("alice")));
            assertThat(otherGet.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    @Test
    void cors_offByDefault(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            HttpResponse<String> pre = call(
                    "OPTIONS",
                    server.httpUrl() + "/api/v1/conversations",
                    Map.of("Origin", "https://app.example.com", "Access-Control-Request-Method", "GET"));
            assertThat(pre.statusCode()).isEqualTo(403);
            assertThat(pre.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    @Test
    void metrics_withAToken_wantsIt(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("metrics.token", "scrape-me-please")).start()) {
            String url = server.httpUrl() + "/metrics";
            HttpResponse<String> none = call("GET", url, Map.of());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(new JsonObject(none.body()).getJsonObject("error").getString("code"))
                    .isEqualTo("unauthorized");
            assertThat(call("GET", url, Map.of("Authorization", "Bearer wrong")).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> ok = call("GET", url, Map.of("Authorization", "Bearer scrape-me-please"));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("# TYPE");
        }
    }

    @Test
    void metrics_withoutAToken_isOpen_andTheWebAppCarriesItsSecurityHeaders(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            assertThat(call("GET", server.httpUrl() + "/metrics", Map.of()).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> page = call("GET", server.httpUrl() + "/", Map.of());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("frame-ancestors 'none'");
            assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
            assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            // The service worker: same origin, a script type (browsers refuse another), under the same policy.
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                    .contains("worker-src 'self'");
            HttpResponse<String> sw = HTTP.send( // a file of the browser app: no operation of the OpenAPI document
                    HttpRequest.newBuilder(URI.create(server.httpUrl() + "/sw.js"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sw.statusCode()).isEqualTo(200);
            assertThat(sw.headers().firstValue("Content-Type").orElse("")).contains("javascript");
            assertThat(sw.body()).contains("addEventListener('push'");
        }
    }
}
