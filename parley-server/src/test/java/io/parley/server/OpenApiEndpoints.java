package io.parley.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every operation of the OpenAPI document (src/main/resources/openapi/openapi.json, which OpenApiDocumentTest holds
 * to the router), with its parameters and whether it takes a body or a bearer token: what the fuzz and the
 * authorization matrix iterate over, so an endpoint added to the document is covered without a line of test.
 */
final class OpenApiEndpoints {
    static final Path FILE = Path.of("src/main/resources/openapi/openapi.json");
    static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

    record Endpoint(
            String method,
            String path,
            List<String> pathParams,
            List<String> queryParams,
            boolean hasBody,
            JsonObject bodySchema,
            boolean needsToken) {
        String key() {
            return method + " " + path;
        }
    }

    private OpenApiEndpoints() {}

    static JsonObject document() {
        try {
            return new JsonObject(Files.readString(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Endpoint> all() {
        JsonObject doc = document();
        boolean globalToken = doc.getJsonArray("security", new JsonArray()).size() > 0;
        List<Endpoint> out = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String m : METHODS) {
                JsonObject op = item.getJsonObject(m);
                if (op == null) {
                    continue;
                }
                List<String> pathParams = new ArrayList<>();
                List<String> queryParams = new ArrayList<>();
                List<JsonObject> params = new ArrayList<>();
                for (JsonArray list : List.of(
                        item.getJsonArray("parameters", new JsonArray()),
                        op.getJsonArray("parameters", new JsonArray()))) {
                    for (int i = 0; i < list.size(); i++) {
                        params.add(list.getJsonObject(i));
                    }
                }
                for (JsonObject raw : params) {
                    JsonObject p = resolve(doc, raw);
                    if ("path".equals(p.getString("in"))) {
                        pathParams.add(p.getString("name"));
                    } else if ("query".equals(p.getString("in"))) {
                        queryParams.add(p.getString("name"));
                    }
                }
                JsonObject schema = null;
                JsonObject body = op.getJsonObject("requestBody");
                if (body != null) {
                    JsonObject json = body.getJsonObject("content").getJsonObject("application/json");
                    schema = json == null ? new JsonObject() : resolve(doc, json.getJsonObject("schema"));
                }
                JsonArray security = op.getJsonArray("security");
                boolean needsToken = globalToken;
                if (security != null) {
                    needsToken = false;
                    for (int i = 0; i < security.size(); i++) {
                        needsToken |= security.getJsonObject(i).containsKey("bearer");
                    }
                }
                out.add(new Endpoint(
                        m.toUpperCase(Locale.ROOT),
                        path,
                        List.copyOf(pathParams),
                        List.copyOf(queryParams),
                        body != null,
                        schema,
                        needsToken));
            }
        }
        return out;
    }

    static JsonObject resolve(JsonObject doc, JsonObject o) {
        while (o != null && o.containsKey("$ref")) {
            JsonObject at = doc;
            for (String part : o.getString("$ref").substring(2).split("/")) {
                at = at.getJsonObject(part);
            }
            o = at;
        }
        return o;
    }

    /** A plausible valid body for {@code e} from its schema (first of a oneOf), with ids taken from {@code ids}. */
    static JsonObject example(Endpoint e, List<String> ids) {
        return example(e, ids, java.util.Map.of());
    }

    /** As {@link #example(Endpoint, List)}, with the value of each property named in {@code byName} given. */
    static JsonObject example(Endpoint e, List<String> ids, java.util.Map<String, Object> byName) {
        Object v = value(document(), e.bodySchema(), "", ids, byName);
        return v instanceof JsonObject j ? j : new JsonObject();
    }

    private static Object value(
            JsonObject doc, JsonObject schema, String name, List<String> ids, java.util.Map<String, Object> byName) {
        if (byName.containsKey(name)) {
            return byName.get(name);
        }
        schema = resolve(doc, schema);
        if (schema == null) {
            return "x";
        }
        if (schema.containsKey("const")) {
            return schema.getValue("const");
        }
        if (schema.containsKey("enum")) {
            return schema.getJsonArray("enum").getValue(0);
        }
        for (String alt : List.of("oneOf", "anyOf")) {
            if (schema.containsKey(alt)) {
                return value(doc, schema.getJsonArray(alt).getJsonObject(0), name, ids, byName);
            }
        }
        Object type = schema.getValue("type");
        String t = type instanceof JsonArray a ? a.getString(0) : String.valueOf(type);
        switch (t) {
            case "object" -> {
                JsonObject out = new JsonObject();
                JsonObject props = schema.getJsonObject("properties", new JsonObject());
                for (String p : props.fieldNames()) {
                    Object v = value(doc, props.getJsonObject(p), p, ids, byName);
                    if (v != null) {
                        out.put(p, v);
                    }
                }
                return out;
            }
            case "array" -> {
                return new JsonArray().add(value(doc, schema.getJsonObject("items"), name, ids, byName));
            }
            case "integer", "number" -> {
                return schema.getInteger("minimum", 1);
            }
            case "boolean" -> {
                return true;
            }
            default -> {
                String n = name.toLowerCase(Locale.ROOT);
                if (n.contains("emoji")) {
                    return "\ud83d\udc4d";
                }
                if (n.equals("clientmsgid")) {
                    return "fz-client-msg";
                }
                if (n.contains("id") || n.equals("members")) {
                    return ids.get(Math.floorMod(name.hashCode(), ids.size()));
                }
                if (n.equals("password")) {
                    return "a-password-of-length";
                }
                return "text";
            }
        }
    }
}
