using System.Net;
using System.Net.Http.Json;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>
/// Structured logs (issue 15): every line of an authenticated request carries the user and device ids
/// as scope fields; no line, at any level, carries a password, a token or entity content.
/// </summary>
public sealed class LogTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(Backend.Sqlite);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task SignupLoginAndPush_LogNoSecretOrContent_AndScopeTheUserAndDevice()
    {
        // Every category at Trace, so whatever any part of the stack would ever write is seen.
        var settings = new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Trace",
        };
        await using var server = await TestServer.StartAsync(_db, settings, services => services.AddLogging(logging => logging.AddFakeLogging()));
        var collector = server.Services.GetRequiredService<FakeLogCollector>();

        var password = "pw-" + Guid.NewGuid().ToString("N");
        var content = "content-" + Guid.NewGuid().ToString("N");
        var client = server.Client();
        var signup = await client.PostAsJsonAsync("/api/v1/auth/signup",
            new SignupRequest { Email = "logs@example.com", Password = password, DisplayName = "Logged " + content }, SyncJsonContext.Default.SignupRequest);
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var created = (await signup.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
        var login = await client.PostAsJsonAsync("/api/v1/auth/login",
            new LoginRequest { Email = "logs@example.com", Password = password, DeviceId = "dev_login" }, SyncJsonContext.Default.LoginRequest);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = (await login.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
        var token = session.AccessToken;
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/login",
            new LoginRequest { Email = "logs@example.com", Password = password + "-wrong" }, SyncJsonContext.Default.LoginRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var before = collector.Count;
        var push = await server.Client(token).PostAsync("/api/v1/sync/push", new StringContent(
            $$"""{"device_id":"dev_logs","schema_version":"1","changes":[{"change_id":"c1","entity_type":"contact","entity_id":"cnt_logs","operation":"create","data":{"name":"{{content}}"},"client_timestamp":"2025-12-05T10:30:00Z","sync_version":1,"base_version":0}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);

        // The y-websocket route takes its token in the query (browsers set no headers on a socket).
        var socket = await server.Client().GetAsync($"/api/v1/yjs/note_logs?token={token}");
        Assert.Equal(HttpStatusCode.BadRequest, socket.StatusCode);

        var records = collector.GetSnapshot();
        Assert.True(records.Count > before, "the push wrote no log line at Trace level; nothing would be checked");
        var secrets = new[] { password, token, session.RefreshToken!, created.AccessToken, created.RefreshToken!, content };
        foreach (var record in records)
        {
            var text = Describe(record);
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a log line carries a secret or content: {text}");
            }
        }

        var scoped = records.Skip(before).Where(r => r.Scopes.OfType<RequestLogScope>().Any()).ToList();
        Assert.NotEmpty(scoped);
        Assert.All(scoped, r =>
        {
            var scope = r.Scopes.OfType<RequestLogScope>().Single();
            Assert.Equal(created.UserId, scope.UserId);
            Assert.Contains(new KeyValuePair<string, object?>("UserId", created.UserId), scope);
        });
        // The device is the token's (the session's), not whatever a body names.
        Assert.All(scoped, r => Assert.Equal("dev_login", r.Scopes.OfType<RequestLogScope>().Single().DeviceId));
    }

    /// <summary>Everything a provider could write of a record: message, state, exception, scopes.</summary>
    private static string Describe(FakeLogRecord record)
    {
        var text = new StringBuilder().Append(record.Category).Append(' ').Append(record.Message);
        foreach (var (key, value) in record.StructuredState ?? [])
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        text.Append(' ').Append(record.Exception);
        foreach (var scope in record.Scopes)
        {
            text.Append(" scope:").Append(scope);
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                {
                    text.Append(' ').Append(key).Append('=').Append(value);
                }
            }
        }

        return text.ToString();
    }
}
