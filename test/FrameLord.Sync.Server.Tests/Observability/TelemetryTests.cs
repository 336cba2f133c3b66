using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using FrameLord.Sync.Protocol;
using FrameLord.Sync.Server.Observability;
using FrameLord.Sync.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Metrics;

namespace FrameLord.Sync.Server.Tests.Observability;

/// <summary>
/// Metrics and traces (issue 15), read from the server's own meter (through its <see cref="IMeterFactory"/>,
/// so servers of other tests running at the same time do not count) and from its activity source.
/// </summary>
public abstract class TelemetryTests(Backend backend) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private TestServer _server = null!;

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(backend);
        _server = await TestServer.StartAsync(_db, Settings);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private MetricCollector<T> Collect<T>(string instrument) where T : struct =>
        new(_server.Services.GetRequiredService<IMeterFactory>(), SyncTelemetry.Name, instrument);

    [Fact]
    public async Task APushedChange_IsCounted_AndItsPullAndStoreOperations()
    {
        using var pushed = Collect<long>("framelord.sync.changes.pushed");
        using var pulled = Collect<long>("framelord.sync.changes.pulled");
        using var store = Collect<double>("framelord.sync.store.operation.duration");
        var client = _server.Client((await _server.SignupAsync()).AccessToken);

        await Send(client, "/api/v1/sync/push", Push("dev_a", Change("cnt_1", 1, 0) + "," + Change("bogus_type_entity", 1, 0, type: "bogus")));
        await Send(client, "/api/v1/sync/pull", """{"device_id":"dev_b","schema_version":"1"}""");

        Assert.Equal(1, Sum(pushed, "outcome", "successful"));
        Assert.Equal(1, Sum(pushed, "outcome", "failed"));
        Assert.Equal(1, pulled.GetMeasurementSnapshot().Sum(m => m.Value));
        var storeName = backend == Backend.Postgres ? "postgresql" : "sqlite";
        var operations = store.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags["db.system.name"], storeName))
            .Select(m => (string)m.Tags["db.operation.name"]!)
            .ToHashSet();
        Assert.Contains("BeginWriteAsync", operations);
        Assert.Contains("WriteSession.CommitAsync", operations);
        Assert.Contains("ReadChangesAsync", operations);
        Assert.All(store.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public async Task Conflicts_AreCountedByKind()
    {
        using var conflicts = Collect<long>("framelord.sync.conflicts");
        var client = _server.Client((await _server.SignupAsync()).AccessToken);
        await Send(client, "/api/v1/sync/push", Push("dev_a", Change("cnt_9", 5, 0, """{"name":"Sarah"}""")));
        await Send(client, "/api/v1/sync/push", Push("dev_b", Change("cnt_9", 6, 5, """{"name":"Sarah Williams"}""", "update", "10:35")));
        // dev_a edits the same field from the same base, earlier: its value loses.
        await Send(client, "/api/v1/sync/push", Push("dev_a", Change("cnt_9", 6, 5, """{"name":"Sarah Chen"}""", "update")));

        var measured = conflicts.GetMeasurementSnapshot();
        var single = Assert.Single(measured);
        Assert.Equal(1, single.Value);
        Assert.Equal(ConflictResolutions.RemoteWon, single.Tags["kind"]);
        Assert.Equal(false, single.Tags["needs_review"]);
    }

    [Fact]
    public async Task PushAndPull_AreTraced_WithTheUserAndDevice()
    {
        var auth = await _server.SignupAsync();
        var spans = new List<Activity>();
        using var listener = Listen(auth.UserId, spans);

        var client = _server.Client(auth.AccessToken);
        await Send(client, "/api/v1/sync/push", Push("dev_t", Change("cnt_t", 1, 0)));
        await Send(client, "/api/v1/sync/pull", """{"device_id":"dev_t","schema_version":"1"}""");

        lock (spans)
        {
            var push = Assert.Single(spans, s => s.OperationName == SyncTelemetry.Push);
            Assert.Equal("dev_t", push.GetTagItem("framelord.device_id"));
            Assert.Equal(1, push.GetTagItem("framelord.changes"));
            Assert.Single(spans, s => s.OperationName == SyncTelemetry.Pull);
        }
    }

    [Fact]
    public async Task DocumentUpdates_AreCountedWithTheirBytes_AndTraced()
    {
        using var updates = Collect<long>("framelord.sync.document.updates");
        using var bytes = Collect<long>("framelord.sync.document.update.size");
        var auth = await _server.SignupAsync();
        var spans = new List<Activity>();
        using var listener = Listen(auth.UserId, spans);
        var update = new FrameLord.Sync.Crdt.YDoc();
        update.GetText("t").Insert(0, "hello");
        var encoded = update.EncodeStateAsUpdate();

        var client = _server.Client(auth.AccessToken);
        await Send(client, "/api/v1/notes/note_m/sync", $$"""{"yjs_updates":"{{Convert.ToBase64String(encoded)}}"}""");
        await Send(client, "/api/v1/notes/note_m/sync", "{}");

        var counted = Assert.Single(updates.GetMeasurementSnapshot());
        Assert.Equal(1, counted.Value);
        Assert.Equal("rest", counted.Tags["transport"]);
        Assert.Equal(encoded.Length, bytes.GetMeasurementSnapshot().Sum(m => m.Value));
        lock (spans)
        {
            Assert.Equal(2, spans.Count(s => s.OperationName == SyncTelemetry.DocumentSync));
        }
    }

    [Fact]
    public async Task OpenEventStreams_AreAGauge()
    {
        using var streams = Collect<int>("framelord.sync.event_streams.open");
        var client = _server.Client((await _server.SignupAsync()).AccessToken);
        using var response = await client.GetAsync("/api/v1/sync/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[1]); // the stream is registered before its first byte is written

        streams.RecordObservableInstruments();
        Assert.Equal(1, streams.LastMeasurement!.Value);
    }

    [Fact]
    public void NothingIsExported_ByDefault()
    {
        Assert.Null(_server.Services.GetService<MeterProvider>());
        Assert.Null(_server.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    /// <summary>The server's spans of one user (other tests' servers share the process-wide source).</summary>
    private static ActivityListener Listen(string userId, List<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SyncTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("enduser.id"), userId))
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    protected static async Task Send(HttpClient client, string path, string json)
    {
        var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    protected static string Push(string device, string changes) =>
        $$"""{"device_id":"{{device}}","schema_version":"1","changes":[{{changes}}]}""";

    protected static string Change(string id, int version, int baseVersion, string data = """{"name":"x"}""", string op = "create",
        string time = "10:30", string type = "contact") =>
        $$"""{"change_id":"{{Guid.NewGuid():N}}","entity_type":"{{type}}","entity_id":"{{id}}","operation":"{{op}}","data":{{data}},"client_timestamp":"2025-12-05T{{time}}:00Z","sync_version":{{version}},"base_version":{{baseVersion}}}""";

    private static long Sum(MetricCollector<long> collector, string tag, string value) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[tag], value)).Sum(m => m.Value);
}

public sealed class SqliteTelemetryTests() : TelemetryTests(Backend.Sqlite);

public sealed class PostgresTelemetryTests() : TelemetryTests(Backend.Postgres);
