using System.Net.Http.Json;
using System.Text.Json;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Live.Sockets;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;

namespace FrameLord.Sync.Server.Tests.Live;

/// <summary>
/// Unmodified npm y-websocket 3.1.0 and @hocuspocus/provider 4.8.0 clients and a REST client on one
/// BlockSuite-shaped note (eng/yjs/live-scenario.mjs): they converge under concurrent edits, including edits
/// made while a provider was disconnected; awareness is seen and removed; bad and missing tokens get 4401;
/// another user's same note id is another document; hostile messages close only their own socket (4400).
/// </summary>
public abstract class LiveSocketInteropTests(Backend backend) : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected TestServer Server { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(backend);
        // Small compaction thresholds so compactions happen while everybody edits.
        Server = await TestServer.StartAsync(Database, Settings);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Database.DisposeAsync();
    }

    internal static Dictionary<string, string> Settings => new()
    {
        ["Sync:DocumentCompactionUpdates"] = "15",
        ["Limits:RequestsPerMinute"] = "100000",
    };

    [Fact]
    public async Task ProvidersAndRestClient_OnOneNote_ConvergeAndSeeEachOthersPresence()
    {
        var lines = await RunScenarioAsync(Server, Server);
        AssertScenario(lines);

        // Every socket has gone: no hub and no socket count is left behind.
        var hubs = Server.Services.GetRequiredService<NoteHubRegistry>();
        await Eventually(() => hubs.HubCount == 0);
    }

    internal static async Task<Dictionary<string, JsonElement>> RunScenarioAsync(TestServer first, TestServer second)
    {
        var user = await first.SignupAsync();
        var other = await first.SignupAsync();
        return await RunScenarioAsync(first.BaseAddress, second.BaseAddress, user.AccessToken, other.AccessToken);
    }

    internal static async Task<Dictionary<string, JsonElement>> RunScenarioAsync(Uri first, Uri second, string token, string otherToken)
    {
        using var node = NodeYjs.Start("live-scenario.mjs",
            $"--url {first} --url2 {second} --token {token} --other-token {otherToken} --note note-live-1");
        var lines = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (true)
        {
            var line = JsonDocument.Parse(await node.NextLineAsync(TimeSpan.FromMinutes(2))).RootElement;
            Assert.False(line.TryGetProperty("error", out var error), error.ToString());
            if (line.TryGetProperty("done", out _))
            {
                return lines;
            }

            lines[line.GetProperty("check").GetString()!] = line;
        }
    }

    internal static void AssertScenario(Dictionary<string, JsonElement> lines)
    {
        Assert.True(lines["page"].GetProperty("rest_has_page").GetBoolean());
        var converged = lines["converged"];
        Assert.True(converged.GetProperty("same").GetBoolean(), converged.ToString());
        var content = converged.GetProperty("content").ToString();
        Assert.Contains("offline-edit", content, StringComparison.Ordinal);
        foreach (var mark in new[] { "a29 ", "b29 ", "c29 ", "r29 " })
        {
            Assert.Contains(mark, content, StringComparison.Ordinal);
        }

        Assert.True(lines["large_update"].GetProperty("bytes").GetInt32() > 8000);
        Assert.True(lines.ContainsKey("rest_pushed"));
        Assert.True(lines.ContainsKey("awareness_seen"));
        Assert.True(lines.ContainsKey("awareness_removed"));
        Assert.Equal(0, lines["other_user"].GetProperty("blocks").GetInt32());
        Assert.False(lines["other_user_after"].GetProperty("mine_has_theirs").GetBoolean());
        Assert.False(lines["other_user_after"].GetProperty("theirs_has_mine").GetBoolean());
        var tokens = lines["tokens"];
        Assert.Equal(4401, tokens.GetProperty("bad").GetInt32());
        Assert.Equal(4401, tokens.GetProperty("missing").GetInt32());
        Assert.Equal(4401, tokens.GetProperty("hocuspocus_bad").GetInt32());
        Assert.True(tokens.GetProperty("hocuspocus_denied").GetBoolean());
        var hostile = lines["hostile"];
        foreach (var kind in new[] { "garbage", "truncated", "huge_length", "bad_update" })
        {
            Assert.Equal(4400, hostile.GetProperty(kind).GetInt32());
        }

        Assert.True(lines.ContainsKey("hocuspocus_ack"));
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}

public sealed class SqliteLiveSocketInteropTests() : LiveSocketInteropTests(Backend.Sqlite);

public sealed class PostgresLiveSocketInteropTests() : LiveSocketInteropTests(Backend.Postgres)
{
    private TestServer _second = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _second = await TestServer.StartAsync(Database, Settings);
    }

    public override async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>
    /// Two server processes over one PostgreSQL: one y-websocket provider and the REST client on the first,
    /// the other y-websocket provider and the Hocuspocus provider on the second; every check still holds, so
    /// updates and awareness cross between them live.
    /// </summary>
    [Fact]
    public async Task ProvidersOnTwoServerProcesses_ConvergeLive()
    {
        AssertScenario(await RunScenarioAsync(Server, _second));
    }

    /// <summary>
    /// The same with two operating-system processes of the built server (<c>dotnet FrameLord.Sync.Server.Host.dll</c>)
    /// over the one database: nothing in this test's process (no shared memory, no in-process event) can carry an
    /// update or an awareness change from one to the other; only the database's LISTEN/NOTIFY relay can.
    /// </summary>
    [Fact]
    public async Task ProvidersOnTwoOperatingSystemProcesses_ConvergeLive()
    {
        string[] args =
        [
            "--Storage:Provider=postgres", "--Storage:ConnectionString=" + Database.Storage.ConnectionString,
            .. Settings.Select(setting => $"--{setting.Key}={setting.Value}"),
        ];
        var one = Directory.CreateDirectory(Path.Combine(Database.Folder, "process-one")).FullName;
        var two = Directory.CreateDirectory(Path.Combine(Database.Folder, "process-two")).FullName;
        var (a, addressA) = await Hardening.ServerProcess.StartAsync(one, args);
        await using (a)
        {
            var (b, addressB) = await Hardening.ServerProcess.StartAsync(two, args);
            await using (b)
            {
                var user = await SignupAsync(addressA);
                var other = await SignupAsync(addressB);
                AssertScenario(await RunScenarioAsync(addressA, addressB, user, other));
            }
        }
    }

    private static async Task<string> SignupAsync(Uri server)
    {
        using var client = new HttpClient { BaseAddress = server };
        var response = await client.PostAsJsonAsync("/api/v1/auth/signup",
            new SignupRequest { Email = $"live-{Guid.NewGuid():N}@example.com", Password = "correct horse battery", DisplayName = "Live" },
            SyncJsonContext.Default.SignupRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.AuthResponse))!.AccessToken;
    }
}
