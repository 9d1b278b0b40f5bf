using System.Text;
using System.Text.Json.Nodes;

namespace Maas.EndToEnd.Tests.Security;

/// <summary>Valid requests for every endpoint family and the ways the fuzz test breaks them: wrong types, huge numbers,
/// deep nesting, bad UTF-8, wrong shapes, odd headers and content types, random paths.</summary>
/// <remarks>All randomness comes from the seed CsCheck generates, so a failing case shrinks and replays.</remarks>
internal static class RequestMutator
{
    public const string Model = "adder";

    private const string Infer = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";

    /// <summary>Requests that succeed as they are (or fail with a clean 4xx for a reason of their own).</summary>
    public static readonly FuzzRequest[] Seeds =
    [
        Json("POST", $"/v2/models/{Model}/infer", Infer),
        Json("POST", $"/v2/models/{Model}/versions/1/infer", Infer),
        Json("POST", $"/v2/models/{Model}/infer", """{"id": "r1", "parameters": {"p": 1}, "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [4, 5, 6]]}], "outputs": [{"name": "y"}]}"""),
        Get($"/v2/models/{Model}"),
        Get($"/v2/models/{Model}/ready"),
        Get($"/v2/models/{Model}/stats"),
        Get("/v2"),
        Get("/v2/health/live"),
        Json("POST", "/v2/repository/index", "{}"),
        Json("POST", $"/models/{Model}/predict", """{"input": [[1, 2, 3]]}"""),
        Json("POST", $"/models/{Model}/predict", """{"input": {"x": [[1, 2, 3]]}}"""),
        Get("/v1/models"),
        Get($"/v1/models/{Model}"),
        Json("POST", "/v1/chat/completions", $$"""{"model": "{{Model}}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4, "temperature": 0.5, "stream": false}"""),
        Json("POST", "/v1/completions", $$"""{"model": "{{Model}}", "prompt": "hi", "max_tokens": 4, "stop": ["x"], "logprobs": 2}"""),
        Json("POST", "/v1/embeddings", $$"""{"model": "{{Model}}", "input": ["a", "b"], "encoding_format": "float"}"""),
        Get("/api/models"),
        Get($"/api/models/{Model}"),
        Get($"/api/models/{Model}/versions/1/files/model.onnx"),
        Get("/api/deployments"),
        Get("/api/jobs"),
        Get("/api/audit"),
        Json("PUT", $"/api/models/{Model}/aliases/fuzz", """{"version": 1}"""),
        Multipart("/api/models/fuzzed/versions", Admin.AddModel.Create(5)),
    ];

    private static readonly string[] ContentTypes =
    [
        "application/json", "text/plain", "application/json; charset=utf-16", "application/octet-stream", "multipart/form-data",
        "multipart/form-data; boundary=", "application/x-www-form-urlencoded", "application/json; charset=nonsense", "*/*", "",
        "application/grpc", "image/png",
    ];

    private static readonly string[] Segments =
    [
        "v2", "v1", "api", "models", Model, "infer", "ready", "versions", "1", "0", "-1", "99999999999", "..", "%2e%2e", "%00",
        "%ff%fe", "chat", "completions", "predict", "aliases", "stats", "jobs", "deployments", "health", "repository", "index",
        "a@b", "adder@prod", "adder:1", "%2F", "~", "metrics", "embeddings", "files", "x.onnx", "..%2f..%2fetc%2fpasswd",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "HEAD", "OPTIONS"];

    /// <summary>Seed <paramref name="seedIndex"/> broken by mutation <paramref name="kind"/> with randomness from <paramref name="noise"/>.</summary>
    public static FuzzRequest Mutate(int seedIndex, int kind, int noise)
    {
        var random = new Random(noise);
        var seed = Seeds[seedIndex % Seeds.Length];
        var request = (kind % 12) switch
        {
            0 => seed with { Mutation = "none" },
            1 or 2 => MutateJson(seed, random),
            3 => seed with { Body = BadUtf8(seed.Body, random), Mutation = "bad utf-8" },
            4 => seed with { Body = Truncate(seed.Body, random), Mutation = "truncated" },
            5 => seed with { Body = FlipBytes(seed.Body, random), Mutation = "flipped bytes" },
            6 => seed with { ContentType = Pick(ContentTypes, random), Mutation = "content type" },
            7 => seed with { Headers = OddHeaders(random), Mutation = "odd headers" },
            8 => seed with { Path = RandomPath(random), Mutation = "random path" },
            9 => seed with { Method = Pick(Methods, random), Mutation = "method" },
            10 => seed with { Body = Deep(random), Mutation = "deep nesting" },
            _ => seed with { Path = MutatePath(seed.Path, random), Mutation = "path segment" },
        };

        // Destructive admin calls are authorised operations, not inputs to survive: the fuzz never deletes, and never
        // writes to the admin API except the seeds' own alias and push targets.
        if (request.Path.StartsWith("/api", StringComparison.OrdinalIgnoreCase) && request.Method != "GET" && request.Path != seed.Path)
        {
            request = request with { Method = "GET" };
        }

        return request;
    }

    private static FuzzRequest Json(string method, string path, string json) =>
        new(method, path, "application/json", Encoding.UTF8.GetBytes(json), [], "seed");

    private static FuzzRequest Get(string path) => new("GET", path, null, [], [], "seed");

    private static FuzzRequest Multipart(string path, byte[] file)
    {
        const string Boundary = "fuzzboundary";
        var head = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.onnx\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
        return new FuzzRequest("POST", path, $"multipart/form-data; boundary={Boundary}", [.. head, .. file, .. tail], [], "seed");
    }

    private static FuzzRequest MutateJson(FuzzRequest seed, Random random)
    {
        JsonNode? root;
        try
        {
            root = seed.Body.Length == 0 ? new JsonObject() : JsonNode.Parse(seed.Body);
        }
        catch (System.Text.Json.JsonException)
        {
            return seed with { Body = FlipBytes(seed.Body, random), Mutation = "flipped bytes" };
        }

        var mutations = random.Next(1, 4);
        var names = new List<string>();
        for (var i = 0; i < mutations; i++)
        {
            var (target, description) = Mutation(random);
            names.Add(description);
            root = Replace(root, target, random, depth: 0);
        }

        return seed with
        {
            Body = Encoding.UTF8.GetBytes(root?.ToJsonString() ?? "null"),
            ContentType = seed.ContentType ?? "application/json",
            Method = seed.Method == "GET" ? "POST" : seed.Method,
            Mutation = "json: " + string.Join(", ", names),
        };
    }

    private static (Func<JsonNode?> Make, string Name) Mutation(Random random) => random.Next(14) switch
    {
        0 => (() => JsonValue.Create("text"), "string"),
        1 => (() => JsonValue.Create(1e308), "huge double"),
        2 => (() => JsonValue.Create(-1e308), "huge negative"),
        3 => (() => JsonNode.Parse("123456789012345678901234567890"), "huge integer"),
        4 => (() => JsonValue.Create(long.MinValue), "min long"),
        5 => (() => null, "null"),
        6 => (() => JsonValue.Create(true), "bool"),
        7 => (() => new JsonArray(), "empty array"),
        8 => (() => new JsonObject { ["unknown"] = 1 }, "object"),
        9 => (() => JsonValue.Create(new string('z', 70_000)), "long string"),
        10 => (() => JsonValue.Create("\u0000\uFFFF\uD83D\uDE00\u202E"), "odd characters"),
        11 => (() => JsonNode.Parse(new string('[', 30) + "1" + new string(']', 30)), "nested"),
        12 => (() => JsonValue.Create(-1), "negative"),
        _ => (() => JsonNode.Parse("[" + string.Join(",", Enumerable.Repeat("1e5", 1000)) + "]"), "long array"),
    };

    /// <summary>Replaces a random node (or the root) with a new value made by <paramref name="make"/>.</summary>
    private static JsonNode? Replace(JsonNode? node, Func<JsonNode?> make, Random random, int depth)
    {
        if (node is null || random.Next(4) == 0 && depth > 0)
        {
            return make();
        }

        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
            {
                var key = obj.ElementAt(random.Next(obj.Count)).Key;
                if (random.Next(6) == 0)
                {
                    obj.Remove(key);
                    return obj;
                }

                var child = obj[key];
                obj.Remove(key);
                obj[key] = Replace(child?.DeepClone(), make, random, depth + 1);
                return obj;
            }

            case JsonArray array when array.Count > 0:
            {
                var index = random.Next(array.Count);
                var child = array[index]?.DeepClone();
                array[index] = Replace(child, make, random, depth + 1);
                return array;
            }

            default:
                return depth == 0 && random.Next(2) == 0 ? node : make();
        }
    }

    private static byte[] BadUtf8(byte[] body, Random random)
    {
        byte[][] bad = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF0, 0x28, 0x8C, 0x28], [0xC0, 0xAF], [0xE2, 0x82]];
        var list = body.ToList();
        var at = list.Count == 0 ? 0 : random.Next(list.Count);
        list.InsertRange(at, bad[random.Next(bad.Length)]);
        return [.. list];
    }

    private static byte[] Truncate(byte[] body, Random random) => body.Length == 0 ? body : body[..random.Next(body.Length)];

    private static byte[] FlipBytes(byte[] body, Random random)
    {
        var copy = body.Length == 0 ? new byte[random.Next(1, 64)] : (byte[])body.Clone();
        for (var i = 0; i < Math.Max(1, copy.Length / 50); i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    private static byte[] Deep(Random random)
    {
        var depth = random.Next(60, 5000);
        return Encoding.ASCII.GetBytes("{\"inputs\": " + new string('[', depth) + new string(']', depth) + ", \"model\": " + new string('{', 0) + "\"adder\"}");
    }

    private static IReadOnlyList<(string, string)> OddHeaders(Random random)
    {
        (string, string)[] pool =
        [
            ("Inference-Header-Content-Length", "-1"),
            ("Inference-Header-Content-Length", "99999999999999999999"),
            ("Inference-Header-Content-Length", "abc"),
            ("Inference-Header-Content-Length", "3"),
            ("Accept", "application/x-nonsense"),
            ("Accept-Encoding", "gzip;q=2, br, *;q=-1"),
            ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked"),
            ("Authorization", "Bearer " + new string('k', 2000)),
            ("x-api-key", "\u00e9\u00e8"),
            ("Expect", "100-continue"),
            ("Range", "bytes=-5"),
            ("X-Maas-Actor", new string('a', 3000)),
            ("Connection", "upgrade"),
            ("Upgrade", "h2c"),
        ];
        return [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => pool[random.Next(pool.Length)])];
    }

    private static string RandomPath(Random random) =>
        "/" + string.Join('/', Enumerable.Range(0, random.Next(1, 7)).Select(_ => Pick(Segments, random)));

    private static string MutatePath(string path, Random random)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return RandomPath(random);
        }

        segments[random.Next(segments.Length)] = Pick(Segments, random);
        return "/" + string.Join('/', segments) + (random.Next(5) == 0 ? "?x=" + Uri.EscapeDataString(Pick(Segments, random)) : string.Empty);
    }

    private static T Pick<T>(T[] items, Random random) => items[random.Next(items.Length)];
}
