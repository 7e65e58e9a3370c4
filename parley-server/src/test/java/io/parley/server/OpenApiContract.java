package io.parley.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.parley.server.api.OpenApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The OpenAPI document (src/main/resources/openapi/openapi.json) as a contract that responses are checked against:
 * {@link Rest#call} checks every response the tests receive, so a route that answers a status, a content type or a
 * body the document does not describe fails the test that saw it. Schemas are validated with json-schema-validator
 * in the OpenAPI 3.1 dialect (JSON Schema 2020-12), formats asserted.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The document in this build, loaded once for every test (after JSON, which loading uses). */
    public static final OpenApiContract DOCUMENT = load(OpenApi.RESOURCE);

    private final JsonNode doc;
    private final String base;
    private final List<PathTemplate> templates;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** One path of the document, e.g. {@code /api/v1/conversations/{id}}, with a pattern matching concrete paths. */
    record PathTemplate(String template, Pattern pattern, int literalSegments) {
        static PathTemplate of(String template) {
            StringBuilder regex = new StringBuilder();
            int literals = 0;
            for (String segment : template.substring(1).split("/", -1)) {
                regex.append('/');
                if (segment.startsWith("{") && segment.endsWith("}")) {
                    regex.append("[^/]+");
                } else {
                    regex.append(Pattern.quote(segment));
                    literals++;
                }
            }
            return new PathTemplate(template, Pattern.compile(regex.toString()), literals);
        }
    }

    private OpenApiContract(JsonNode doc, SchemaRegistry registry, String base) {
        this.doc = doc;
        this.base = base;
        this.registry = registry;
        List<PathTemplate> t = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(p -> t.add(PathTemplate.of(p)));
        // A concrete path matches before a templated one (OpenAPI 3.1, Path Templating Matching).
        t.sort(Comparator.comparingInt(PathTemplate::literalSegments).reversed());
        this.templates = List.copyOf(t);
    }

    static OpenApiContract load(String resource) {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return of(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A contract from a document's text; {@code base} is the IRI its schemas are loaded under. */
    static OpenApiContract of(String text, String base) {
        try {
            JsonNode doc = JSON.readTree(text);
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(
                    Dialects.getOpenApi31(),
                    b -> b.schemas(Map.of(base, text))
                            .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                    .formatAssertionsEnabled(true)
                                    .build()));
            return new OpenApiContract(doc, registry, base);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the OpenAPI document is not JSON", e);
        }
    }

    /** The document as JSON. */
    public JsonNode document() {
        return doc;
    }

    /**
     * Fails with an AssertionError unless the document describes this response: the status is one of the operation's
     * responses (or, for a request no operation matches, of {@code x-unrouted-responses}), the content type is one of
     * that response's media types, and the body matches its schema.
     */
    public void check(String method, String pathAndQuery, int status, String contentType, String body) {
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        String what = method + " " + pathAndQuery + " -> " + status;
        String responsesPointer = operationResponses(method.toLowerCase(Locale.ROOT), path);
        String where = responsesPointer == null ? "x-unrouted-responses" : describe(responsesPointer);
        if (responsesPointer == null) {
            responsesPointer = "/x-unrouted-responses";
        }
        JsonNode responses = doc.at(responsesPointer);
        String key = Integer.toString(status);
        if (!responses.has(key)) {
            throw new AssertionError(what + ": status " + status + " is not documented for " + where + " (documented: "
                    + fieldNames(responses) + "); body: " + body);
        }
        String responsePointer = responsesPointer + "/" + escape(key);
        JsonNode response = doc.at(responsePointer);
        if (response.has("$ref")) {
            responsePointer = local(response.get("$ref").asText());
            response = doc.at(responsePointer);
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            if (body != null && !body.isEmpty()) {
                throw new AssertionError(what + ": " + where + " documents no body for " + status + ", got: " + body);
            }
            return;
        }
        String mediaType =
                contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            throw new AssertionError(what + ": content type '" + contentType + "' is not documented for " + where + " "
                    + status + " (documented: " + fieldNames(content) + ")");
        }
        String schemaPointer = responsePointer + "/content/" + escape(mediaType) + "/schema";
        JsonNode instance;
        if (mediaType.equals("application/json")) {
            try {
                instance = JSON.readTree(body == null ? "" : body);
            } catch (JsonProcessingException e) {
                throw new AssertionError(what + ": the body is not JSON: " + body, e);
            }
            if (instance == null || instance.isMissingNode()) {
                throw new AssertionError(what + ": an empty body where " + where + " documents JSON");
            }
        } else {
            instance = TextNode.valueOf(body == null ? "" : body);
        }
        List<Error> errors = schema(schemaPointer).validate(instance);
        if (!errors.isEmpty()) {
            throw new AssertionError(what + ": the body does not match " + where + " " + status + ": "
                    + errors.stream().map(Error::toString).collect(Collectors.joining("; "))
                    + "\nbody: " + body);
        }
    }

    /** The pointer to the responses of the operation this request reaches, or null when none does. */
    private String operationResponses(String method, String path) {
        for (PathTemplate t : templates) {
            if (t.pattern().matcher(path).matches()
                    && doc.path("paths").path(t.template()).has(method)) {
                return "/paths/" + escape(t.template()) + "/" + method + "/responses";
            }
        }
        return null;
    }

    private Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            Schema s = registry.getSchema(SchemaLocation.of(base + "#" + encodeFragment(p)));
            // Resolve every reference now, once: tests call Rest from several threads at a time.
            s.initializeValidators();
            return s;
        });
    }

    /** Every (method, path) the document has, as "GET /api/v1/me". */
    public List<String> operations() {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue()
                    .fieldNames()
                    .forEachRemaining(m -> out.add(m.toUpperCase(Locale.ROOT) + " " + path.getKey()));
        }
        return out;
    }

    private static String describe(String responsesPointer) {
        // "/paths/<escaped path>/<method>/responses" -> "GET <path>"
        String[] parts = responsesPointer.split("/");
        return parts[3].toUpperCase(Locale.ROOT) + " " + unescape(parts[2]);
    }

    private static String local(String ref) {
        if (!ref.startsWith("#")) {
            throw new AssertionError("only local references are used in the document: " + ref);
        }
        return ref.substring(1);
    }

    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    /** A JSON pointer as an IRI fragment: the braces of path templates percent-encoded. */
    private static String encodeFragment(String pointer) {
        return pointer.replace("%", "%25").replace("{", "%7B").replace("}", "%7D");
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }
}
