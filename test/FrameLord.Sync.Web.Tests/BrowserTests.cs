using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Web.Tests;

/// <summary>
/// Runs the app's browser tests (web/app/test/*.test.mjs, node's test runner driving Debian's
/// Chromium through playwright-core) against the real server, one fresh server and database per
/// file. They run one at a time: each drives two browsers on a small machine.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(ITestOutputHelper output)
{
    [Fact]
    public Task Contacts_LiveAndConflicts() => RunAsync("contacts.test.mjs");

    [Fact]
    public Task Notes_LiveCollaboration() => RunAsync("notes.test.mjs");

    [Fact]
    public Task Offline_ReloadAndCatchUp() => RunAsync("offline.test.mjs");

    [Fact]
    public Task Layout_PhoneAndKeyboard() => RunAsync("layout.test.mjs");

    private async Task RunAsync(string file)
    {
        WebTooling.RequireChromium();
        await using var db = await TestDatabase.CreateAsync(Backend.Sqlite);
        await using var server = await TestServer.StartAsync(db, BrowserServer.Settings);

        var (exitCode, text) = await BrowserServer.RunNodeTestAsync(file, server.BaseAddress);

        output.WriteLine(text);
        Assert.True(exitCode == 0, text);
        Assert.Matches(@"ℹ fail 0", text);
        Assert.DoesNotMatch(@"ℹ pass 0\b", text);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

/// <summary>What every browser test's server and node run share.</summary>
public static class BrowserServer
{
    /// <summary>Two browsers of one user from one address: the per-user and sign-in limits are not under test here.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Limits:RequestsPerMinute"] = "100000",
        ["Limits:AuthRequestsPerAddressPerMinute"] = "100000",
    };

    /// <summary>Screenshots of the tests land here (test output), the README's come from a run's copy.</summary>
    public static string ScreenshotFolder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static Task<(int ExitCode, string Output)> RunNodeTestAsync(string file, Uri server, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["FRAMELORD_URL"] = server.ToString(),
            ["FRAMELORD_SCREENSHOTS"] = ScreenshotFolder,
            ["CHROMIUM_PATH"] = WebTooling.Chromium,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return WebTooling.RunAsync("node", $"--test --test-concurrency=1 --test-reporter=spec test/{file}",
            Path.Combine(WebTooling.WebFolder, "app"), environment, TimeSpan.FromMinutes(6));
    }
}
