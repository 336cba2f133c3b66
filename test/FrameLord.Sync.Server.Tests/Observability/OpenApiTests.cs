using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>The OpenAPI document (issue 15): complete against the README's route table, errors included.</summary>
public sealed partial class OpenApiTests : IAsyncLifetime
{
    /// <summary>Open without a token (DESIGN 3.1); the socket routes authenticate on the socket instead (4401).</summary>
    private static readonly HashSet<string> OpenRoutes =
    [
        "POST /api/v1/auth/signup", "POST /api/v1/auth/login", "POST /api/v1/auth/refresh",
        "GET /healthz", "GET /healthz/live", "GET /healthz/ready",
    ];

    private TestDatabase _db = null!;
    private TestServer _server = null!;
    private JsonDocument _document = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db);
        var response = await _server.Client().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _document.Dispose();
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private JsonElement Paths => _document.RootElement.GetProperty("paths");

    private JsonElement Schemas => _document.RootElement.GetProperty("components").GetProperty("schemas");

    [Fact]
    public void EveryRouteOfTheReadmeTable_IsInTheDocument_AndTokenRoutesDocument401AndBearer()
    {
        var paths = Paths.EnumerateObject().ToDictionary(p => ReadmeApiTable.Normalize(p.Name), p => p.Value);
        var missing = new List<string>();
        // The document and its reference page do not describe themselves.
        foreach (var route in ReadmeApiTable.Read().Where(r => !r.Path.StartsWith("/openapi", StringComparison.Ordinal)))
        {
            var key = $"{route.Method} {route.Path}";
            if (!paths.TryGetValue(ReadmeApiTable.Normalize(route.Path), out var item)
                || !item.TryGetProperty(route.Method.ToLowerInvariant(), out var operation))
            {
                missing.Add(key);
                continue;
            }

            var responses = operation.GetProperty("responses");
            Assert.True(responses.EnumerateObject().Any(r => r.Name.StartsWith('2') || r.Name == "101"), $"{key}: no success response");
            if (OpenRoutes.Contains(key) || route.WebSocket)
            {
                continue;
            }

            Assert.True(responses.TryGetProperty("401", out var unauthorized), $"{key}: needs a token but documents no 401");
            Assert.Contains(ErrorCodes.Unauthorized, ErrorCodesOf(unauthorized));
            Assert.EndsWith("/ErrorEnvelope", SchemaRefOf(unauthorized));
            Assert.True(operation.TryGetProperty("security", out var security)
                && security.EnumerateArray().Any(s => s.TryGetProperty("Bearer", out _)), $"{key}: needs a token but documents no bearer security");
        }

        Assert.True(missing.Count == 0, "routes of the README's API table missing from /openapi/v1.json: " + string.Join(", ", missing));
        var scheme = _document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Fact]
    public void ErrorsAndBodies_AreDocumented_WithTheSharedErrorShape()
    {
        // DESIGN 3's table and the route-specific codes.
        AssertCode("post", "/api/v1/sync/push", 400, ErrorCodes.ValidationFailed);
        AssertCode("post", "/api/v1/sync/push", 413, ErrorCodes.PayloadTooLarge);
        AssertCode("post", "/api/v1/sync/push", 426, ErrorCodes.SchemaMismatch);
        AssertCode("post", "/api/v1/sync/push", 429, ErrorCodes.RateLimited);
        AssertCode("post", "/api/v1/sync/pull", 410, ErrorCodes.ResyncRequired);
        AssertCode("post", "/api/v1/sync/conflicts/{conflictId}/resolve", 404, ErrorCodes.NotFound);
        AssertCode("post", "/api/v1/notes/{noteId}/sync", 400, ErrorCodes.InvalidYjsUpdate);
        AssertCode("post", "/api/v1/auth/signup", 409, ErrorCodes.EmailTaken);
        AssertCode("post", "/api/v1/auth/login", 401, ErrorCodes.InvalidCredentials);
        AssertCode("get", "/healthz/ready", 503, null);

        // The shared error body is one component: {"error": {"code", "message", ...}}.
        var envelope = Schemas.GetProperty("ErrorEnvelope");
        Assert.Contains("error", envelope.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var body = Resolve(envelope.GetProperty("properties").GetProperty("error"));
        var fields = body.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "code", "message", "required_version", "retry_after_seconds" }, fields);

        // Request and response bodies are the wire types, named as on the wire.
        var push = Paths.GetProperty("/api/v1/sync/push").GetProperty("post");
        var request = Resolve(push.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Superset(new HashSet<string> { "device_id", "schema_version", "changes" },
            request.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet());
        var answer = Resolve(push.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Superset(new HashSet<string> { "successful", "failed", "conflicts" },
            answer.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet());
        var signup = Paths.GetProperty("/api/v1/auth/signup").GetProperty("post").GetProperty("responses");
        Assert.True(signup.TryGetProperty("201", out _));
        Assert.False(signup.TryGetProperty("200", out _), "signup answers 201, not 200");

        // Every reference resolves.
        var text = _document.RootElement.GetRawText();
        foreach (Match reference in SchemaReference().Matches(text))
        {
            Assert.True(Schemas.TryGetProperty(reference.Groups[1].Value, out _), $"dangling reference {reference.Value}");
        }
    }

    [Fact]
    public async Task ReferencePage_IsServedInDevelopmentOnly()
    {
        var token = (await _server.SignupAsync()).AccessToken;
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Client(token).GetAsync("/openapi")).StatusCode);

        await using var development = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["environment"] = "Development" });
        var page = await development.Client().GetAsync("/openapi");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("v1.json", html, StringComparison.Ordinal);
        // Nothing is fetched from elsewhere: no absolute URL in the page.
        Assert.DoesNotMatch(@"(src|href)\s*=\s*[""']?(https?:)?//", html);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    private void AssertCode(string method, string path, int status, string? code)
    {
        var response = Paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("/ErrorEnvelope", SchemaRefOf(response));
        if (code is not null)
        {
            Assert.Contains(code, ErrorCodesOf(response));
            Assert.Contains(code, response.GetProperty("description").GetString(), StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string?> ErrorCodesOf(JsonElement response) =>
        response.TryGetProperty("x-error-codes", out var codes) ? codes.EnumerateArray().Select(c => c.GetString()) : [];

    private static string SchemaRefOf(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;

    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? Schemas.GetProperty(reference.GetString()!.Split('/')[^1]) : schema;

    [GeneratedRegex("\"#/components/schemas/([^\"]+)\"")]
    private static partial Regex SchemaReference();
}
