using System.Net;
using System.Text.Json;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Server.Tests.Api;

/// <summary>
/// The web app's static files (DESIGN 3.9): served without a token at <c>/</c>, while every API
/// route keeps its token requirement and every unknown path stays a JSON 404.
/// </summary>
public sealed class WebAppHostingTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(Backend.Sqlite);
        _server = await TestServer.StartAsync(_db);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/app.css", "text/css")]
    [InlineData("/sw.js", "text/javascript")]
    [InlineData("/manifest.webmanifest", "application/manifest+json")]
    [InlineData("/icon.svg", "image/svg+xml")]
    public async Task AppFile_WithoutToken_IsServedAndRevalidated(string path, string contentType)
    {
        var response = await _server.Client().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Root_IsTheAppPage_WithItsSecurityPolicy()
    {
        var response = await _server.Client().GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("<div id=\"app\">", html, StringComparison.Ordinal);
        Assert.Contains("app.js", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/no-such-route")]
    [InlineData("/api/v1/index.html")]
    [InlineData("/no-such-page")]
    [InlineData("/contacts")]
    public async Task UnknownPath_StaysAJsonNotFound(string path)
    {
        var response = await _server.Client("any-token-is-irrelevant-here").GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task ApiRoute_StillNeedsAToken()
    {
        var response = await _server.Client().GetAsync("/api/v1/sync/conflicts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Post_ToTheRoot_IsNotAFile()
    {
        var response = await _server.Client().PostAsync("/", new StringContent("x"));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ConfiguredRoot_IsServedInsteadOfTheBuiltInApp()
    {
        var folder = Directory.CreateTempSubdirectory("framelord-webroot-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "index.html"), "<p>another build</p>", TestContext.Current.CancellationToken);
            Directory.CreateDirectory(Path.Combine(folder.FullName, "pages"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "pages", "boot.js"), "window.ok = true;", TestContext.Current.CancellationToken);
            await using var server = await TestServer.StartAsync(_db, new Dictionary<string, string> { ["WebApp:Root"] = folder.FullName });

            var root = await server.Client().GetStringAsync("/", TestContext.Current.CancellationToken);
            var script = await server.Client().GetAsync("/pages/boot.js", TestContext.Current.CancellationToken);
            var app = await server.Client().GetAsync("/app.js", TestContext.Current.CancellationToken);

            Assert.Equal("<p>another build</p>", root);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
            Assert.NotEqual(HttpStatusCode.OK, app.StatusCode); // the built-in app is not mixed in
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ConfiguredRoot_WithoutAnIndex_StopsTheStartWithAClearError()
    {
        var folder = Directory.CreateTempSubdirectory("framelord-webroot-");
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(_db, new Dictionary<string, string> { ["WebApp:Root"] = folder.FullName }));

            Assert.Contains("WebApp:Root", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("index.html", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
