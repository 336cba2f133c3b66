using System.Net.Http.Headers;
using System.Net.Http.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.TestKit;

/// <summary>
/// The real server, started in-process on a free loopback port over a <see cref="TestDatabase"/>.
/// Test settings: a fixed signing key, cheap password hashing, no background purge, quiet logs, and
/// per-address authentication limits out of the way (every test client shares the loopback address;
/// the tests of those limits set them).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";

    private readonly WebApplication _app;
    private readonly List<HttpClient> _clients = [];
    private int _emails;

    private TestServer(WebApplication app, Uri baseAddress, TestDatabase database)
    {
        _app = app;
        BaseAddress = baseAddress;
        Database = database;
    }

    public Uri BaseAddress { get; }

    public TestDatabase Database { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(
        TestDatabase database, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Storage:Provider"] = database.Storage.Provider,
            ["Storage:ConnectionString"] = database.Storage.ConnectionString!,
            ["Auth:SigningKey"] = SigningKey,
            ["Auth:PasswordHashIterations"] = "1000",
            ["Sync:PurgeInterval"] = "00:00:00",
            ["Limits:AuthRequestsPerAddressPerMinute"] = "1000000",
            ["Limits:MaxConcurrentAnonymousRequestsPerAddress"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var args = values.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        var app = await SyncServerApp.BuildAsync(args, builder => services?.Invoke(builder.Services));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address), database);
    }

    /// <summary>An HTTP client for this server, with a bearer token when given.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Signs up a new user with a unique email.</summary>
    public async Task<AuthResponse> SignupAsync(string? email = null)
    {
        email ??= $"user{Interlocked.Increment(ref _emails)}-{Guid.NewGuid():N}@example.com";
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var response = await client.PostAsJsonAsync("/api/v1/auth/signup",
            new SignupRequest { Email = email, Password = "correct horse battery", DisplayName = "Test User" },
            SyncJsonContext.Default.SignupRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
