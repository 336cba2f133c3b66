using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FrameLord.Sync.Client.Tests.Support;
using FrameLord.Sync.Client.Transport;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.TestKit;

namespace FrameLord.Sync.Client.Tests.Sync;

/// <summary>
/// The SDK against the real server started in-process on a loopback port, once per storage backend.
/// Devices are separate SQLite files in a temporary folder, each with its own client and transport.
/// </summary>
public abstract partial class SyncScenarioTests(Backend backend) : IAsyncLifetime
{
    protected const string Password = "correct horse battery";

    private readonly List<SyncClient> _clients = [];
    private readonly List<HttpSyncTransport> _transports = [];
    private int _seed;

    protected TempFolder Folder { get; } = new();

    protected TestDatabase Db { get; private set; } = null!;

    protected TestServer Server { get; private set; } = null!;

    protected string Email { get; } = $"sarah-{Guid.NewGuid():N}@example.com";

    /// <summary>Server settings; the per-user rate limit is raised so the large scenarios are not throttled.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Limits:RequestsPerMinute"] = "100000" };

    public async ValueTask InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(backend);
        Server = await TestServer.StartAsync(Db, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (var transport in _transports)
        {
            transport.Dispose();
        }

        try
        {
            await Server.DisposeAsync();
        }
        catch (ObjectDisposedException)
        {
            // A test that stopped the server on purpose and failed before starting it again.
        }

        await Db.DisposeAsync();
        Folder.Dispose();
    }

    protected HttpSyncTransport Http(Uri? address = null)
    {
        var transport = new HttpSyncTransport(new HttpSyncTransportOptions { ServerUri = address ?? Server.BaseAddress, GzipThresholdBytes = 8 * 1024 });
        _transports.Add(transport);
        return transport;
    }

    /// <summary>Opens a device (its own database file); the token refresh logs in again.</summary>
    protected async Task<SyncClient> OpenDeviceAsync(
        string name, ISyncTransport? transport = null, TimeProvider? time = null, int pushBatchSize = 100, int pullPageSize = 500,
        TimeSpan? pullInterval = null, TimeSpan? debounce = null)
    {
        transport ??= Http();
        var login = Http();
        var client = await SyncClient.OpenAsync(new SyncClientOptions
        {
            DatabasePath = Folder.File(name + ".db"),
            Transport = transport,
            TimeProvider = time ?? TimeProvider.System,
            Random = new Random(++_seed),
            PushBatchSize = pushBatchSize,
            PullPageSize = pullPageSize,
            PullInterval = pullInterval ?? TimeSpan.FromSeconds(30),
            DebounceDelay = debounce ?? TimeSpan.FromSeconds(2),
            RefreshAccessToken = async ct => (await login.LoginAsync(new LoginRequest { Email = Email, Password = Password }, ct)).AccessToken,
        });
        _clients.Add(client);
        return client;
    }

    /// <summary>Closes a device as a crash would leave it: nothing more is written after the last commit.</summary>
    protected async Task CloseAsync(SyncClient client)
    {
        _clients.Remove(client);
        await client.DisposeAsync();
    }

    /// <summary>The first device signs up (creating Contact Zero); the others log in.</summary>
    protected async Task<SyncClient[]> DevicesAsync(params string[] names)
    {
        var devices = new SyncClient[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            devices[i] = await OpenDeviceAsync(names[i]);
            if (i == 0)
            {
                await devices[i].SignupAsync(Email, Password, "Sarah");
            }
            else
            {
                await devices[i].LoginAsync(Email, Password);
            }
        }

        return devices;
    }

    /// <summary>Every entity a device holds (Contact Zero aside), as canonical JSON of its fields, is_archived and sync_version.</summary>
    protected static SortedDictionary<string, string> Snapshot(SyncClient client) => client.Database.Read(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT entity_type, entity_id, data FROM entities WHERE is_contact_zero = 0;";
        using var reader = command.ExecuteReader();
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0) + "/" + reader.GetString(1)] = Canonical(JsonNode.Parse(reader.GetString(2))!.AsObject());
        }

        return result;
    });

    /// <summary>What the server holds for the user, read through the contract from the beginning.</summary>
    protected async Task<SortedDictionary<string, string>> ServerSnapshotAsync()
    {
        var auth = await Http().LoginAsync(new LoginRequest { Email = Email, Password = Password }, CancellationToken.None);
        var http = Server.Client(auth.AccessToken);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? cursor = null;
        while (true)
        {
            var response = await http.PostAsJsonAsync("/api/v1/sync/pull",
                new PullRequest { DeviceId = "dev_auditor", SchemaVersion = "1", Cursor = cursor, Limit = 1000 }, SyncJsonContext.Default.PullRequest);
            response.EnsureSuccessStatusCode();
            var page = (await response.Content.ReadFromJsonAsync(SyncJsonContext.Default.PullResponse))!;
            foreach (var change in page.Changes)
            {
                result[change.EntityType + "/" + change.EntityId] = Canonical(JsonNode.Parse(change.Data.GetRawText())!.AsObject());
            }

            cursor = page.Cursor;
            if (!page.HasMore)
            {
                return result;
            }
        }
    }

    /// <summary>Fields, is_archived and sync_version with keys sorted (timestamps are left out: their text form is not compared).</summary>
    private static string Canonical(JsonObject data)
    {
        var sorted = new JsonObject();
        foreach (var (name, value) in data.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name is not ("created_at" or "updated_at" or "is_contact_zero"))
            {
                sorted[name] = value?.DeepClone();
            }
        }

        return sorted.ToJsonString();
    }

    protected static string Field(SyncClient client, string type, string id, string field) =>
        LocalDevice.Data(client, type, id)[field]?.ToJsonString() ?? "null";

    protected static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}

public sealed class SqliteSyncScenarioTests() : SyncScenarioTests(Backend.Sqlite);

public sealed class PostgresSyncScenarioTests() : SyncScenarioTests(Backend.Postgres);
