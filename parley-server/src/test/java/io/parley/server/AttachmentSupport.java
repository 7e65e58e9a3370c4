package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.imageio.ImageIO;

/** Uploads and downloads through the real REST API and the blob store's signed URLs, for the attachment tests. */
final class AttachmentSupport {
    private AttachmentSupport() {}

    static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    static final byte[] PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);

    static byte[] png(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Rest.Response slot(Rest rest, String conversationId, String name, String type, long size) {
        return rest.post(
                "/api/v1/conversations/" + conversationId + "/attachments",
                new JsonObject().put("name", name).put("contentType", type).put("size", size));
    }

    static HttpResponse<String> put(String base, String url, String type, byte[] body) {
        URI u = URI.create(url).isAbsolute() ? URI.create(url) : URI.create(base + url);
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(u)
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", type)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Slot, PUT, finalize: the attachment's id. */
    static String upload(Rest rest, String base, String conversationId, String name, String type, byte[] body) {
        Rest.Response s = slot(rest, conversationId, name, type, body.length);
        assertThat(s.status()).as("slot: %s", s.json()).isEqualTo(201);
        JsonObject up = s.json().getJsonObject("upload");
        assertThat(put(base, up.getString("url"), type, body).statusCode()).isEqualTo(200);
        String id = s.json().getString("id");
        Rest.Response f = rest.post("/api/v1/attachments/" + id + "/finalize", null);
        assertThat(f.status()).as("finalize: %s", f.json()).isEqualTo(200);
        return id;
    }

    static Rest.Response send(Rest rest, String conversationId, String clientMsgId, String caption, String... ids) {
        return rest.post(
                "/api/v1/conversations/" + conversationId + "/attachment-messages",
                new JsonObject()
                        .put("clientMsgId", clientMsgId)
                        .put("caption", caption)
                        .put("attachments", new JsonArray(java.util.List.of((Object[]) ids))));
    }

    static String status(Rest rest, String id) {
        Rest.Response r = rest.get("/api/v1/attachments/" + id);
        return r.status() == 200 ? r.json().getString("status") : "http " + r.status();
    }

    /** Waits for the scan (a worker thread, or a real clamd process) to settle the status. */
    static void awaitStatus(Rest rest, String id, String status) {
        Poll.until(() -> status.equals(status(rest, id)), Duration.ofSeconds(30), id + " becomes " + status);
    }

    /** The members-only download: follows the 302 once, to the signed URL, and returns that answer. */
    static HttpResponse<byte[]> download(String base, String token, String id, boolean thumbnail) {
        try {
            HttpResponse<byte[]> first = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/attachments/" + id + "/download"
                                    + (thumbnail ? "?thumbnail=true" : "")))
                            .header("Authorization", "Bearer " + token)
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (first.statusCode() != 302) {
                return first;
            }
            String loc = first.headers().firstValue("location").orElseThrow();
            URI u = URI.create(loc).isAbsolute() ? URI.create(loc) : URI.create(base + loc);
            return HTTP.send(
                    HttpRequest.newBuilder(u)
                            .timeout(Duration.ofSeconds(60))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The signed URL the download endpoint redirects to. */
    static String signedUrl(Rest rest, String id) {
        Rest.Response r = rest.get("/api/v1/attachments/" + id + "/download?redirect=false");
        assertThat(r.status()).as("download url: %s", r.json()).isEqualTo(200);
        return r.json().getString("url");
    }
}
