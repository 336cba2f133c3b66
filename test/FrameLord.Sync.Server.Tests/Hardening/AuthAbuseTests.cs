using System.Net;
using System.Net.Sockets;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FrameLord.Sync.Server.Tests.Hardening;

/// <summary>DESIGN 8's authentication limits, on the real server over each store.</summary>
public abstract class AuthAbuseTests(Backend backend) : IAsyncLifetime
{
    private const string Password = "correct horse battery";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(backend);

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();

    private Task<TestServer> StartAsync(Dictionary<string, string>? settings = null) =>
        TestServer.StartAsync(_db, settings, services => services.AddSingleton<TimeProvider>(_time));

    private static StringContent Login(string email, string password) =>
        new($$"""{"email":"{{email}}","password":"{{password}}"}""", Encoding.UTF8, "application/json");

    [Fact]
    public async Task TenFailedLogins_LockTheEmail_WhateverTokenComesWithThem_UntilTheWindowEnds()
    {
        await using var server = await StartAsync();
        await server.SignupAsync("victim@example.com");
        // The attacker's own account: its token must not buy more guesses.
        var client = server.Client((await server.SignupAsync()).AccessToken);

        for (var i = 0; i < 10; i++)
        {
            var guess = await client.PostAsync("/api/v1/auth/login", Login("victim@example.com", $"guess number {i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode);
        }

        // Locked, even with the right password, another spelling of the email, or no token.
        var locked = await client.PostAsync("/api/v1/auth/login", Login(" Victim@Example.com", Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains(ErrorCodes.RateLimited, await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter > TimeSpan.Zero && retryAfter <= TimeSpan.FromMinutes(15), $"Retry-After {retryAfter}");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Client().PostAsync("/api/v1/auth/login", Login("victim@example.com", Password))).StatusCode);

        // Other emails are not affected.
        var other = await server.SignupAsync("other@example.com");
        Assert.Equal(HttpStatusCode.OK, (await server.Client().PostAsync("/api/v1/auth/login", Login("other@example.com", Password))).StatusCode);
        Assert.NotNull(other);

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/auth/login", Login("victim@example.com", Password))).StatusCode);
    }

    [Fact]
    public async Task SignupsPlusLogins_AreLimitedPerAddress_EvenWithABearerToken()
    {
        await using var server = await StartAsync(new() { ["Limits:AuthRequestsPerAddressPerMinute"] = "5" });
        var token = (await server.SignupAsync("me@example.com")).AccessToken;
        var client = server.Client(token);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/auth/login", Login("me@example.com", Password))).StatusCode);
        }

        var limited = await client.PostAsync("/api/v1/auth/login", Login("me@example.com", Password));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Contains(ErrorCodes.RateLimited, await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Syncs with the token are a separate budget.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sync/conflicts")).StatusCode);
    }

    [Fact]
    public async Task ALoginBodyOver16KiB_Is413_ItGetsNoShareOfASyncBodysLimit()
    {
        await using var server = await StartAsync();
        var response = await server.Client().PostAsync("/api/v1/auth/login", Login("a@example.com", new string('p', 20_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains(ErrorCodes.PayloadTooLarge, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAnonymousRequests_AreCappedPerAddress()
    {
        await using var server = await StartAsync(new() { ["Limits:MaxConcurrentAnonymousRequestsPerAddress"] = "2" });
        var slow = new List<Socket>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                slow.Add(await SlowLoginAsync(server.BaseAddress));
            }

            // The slow logins hold both slots while their bodies trickle in.
            HttpStatusCode status = 0;
            for (var attempt = 0; attempt < 100 && status != HttpStatusCode.TooManyRequests; attempt++)
            {
                status = (await server.Client().PostAsync("/api/v1/auth/login", Login("x@example.com", Password))).StatusCode;
                if (status != HttpStatusCode.TooManyRequests)
                {
                    await Task.Delay(50);
                }
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, status);

            // An authenticated sync is not an anonymous request.
            var token = (await LoginLaterAsync(server, slow)).AccessToken;
            Assert.Equal(HttpStatusCode.OK, (await server.Client(token).GetAsync("/api/v1/sync/conflicts")).StatusCode);
        }
        finally
        {
            slow.ForEach(s => s.Dispose());
        }
    }

    private static async Task<AuthResponse> LoginLaterAsync(TestServer server, List<Socket> slow)
    {
        // Once the slow clients go away, their slots are free again.
        slow.ForEach(s => s.Dispose());
        slow.Clear();
        for (var attempt = 0; ; attempt++)
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress };
            var response = await client.PostAsync("/api/v1/auth/signup",
                new StringContent($$"""{"email":"later{{attempt}}@example.com","password":"{{Password}}","display_name":"L"}""", Encoding.UTF8, "application/json"));
            if (response.StatusCode == HttpStatusCode.Created || attempt == 100)
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(response.Content, SyncJsonContext.Default.AuthResponse))!;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<Socket> SlowLoginAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port);
        var head = $"POST /api/v1/auth/login HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        return socket;
    }

    [Fact]
    public async Task AClientThatNeverFinishesItsHeaders_IsDisconnected()
    {
        await using var server = await StartAsync(new() { ["Limits:RequestHeadersTimeout"] = "00:00:01" });
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /healthz HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\n"));

        // Kestrel's default would wait 30 s; the configured timeout closes it long before this gives up.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, giveUp.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.DoesNotContain("200 OK", answer.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteAuthAbuseTests() : AuthAbuseTests(Backend.Sqlite);

public sealed class PostgresAuthAbuseTests() : AuthAbuseTests(Backend.Postgres);
